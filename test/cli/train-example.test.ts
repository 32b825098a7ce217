/**
 * `nncf-ts train` on the bundled example as a newcomer runs it (issue 10, item 7): its labels.npy is
 * int64 (NumPy's default), which failed with "Cannot convert a BigInt value to a number". A slice of the
 * example's own files (same dtypes) keeps the test short; the .npz form holds the same arrays.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, encodeNpz, gatherRows, parseNpy, type NdArray } from '../../src/data/index.js';
import { runCli } from '../helpers/cli.js';

const EXAMPLE = 'examples/fashion-mnist';
const SAMPLES = 64;
const dir = mkdtempSync(join(tmpdir(), 'cli-train-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let labels: NdArray;
beforeAll(() => {
  const first = Int32Array.from({ length: SAMPLES }, (_, i) => i * 15); // every class, as the sample is stratified
  const images = gatherRows(parseNpy(readFileSync(join(EXAMPLE, 'images.npy'))), first);
  labels = gatherRows(parseNpy(readFileSync(join(EXAMPLE, 'labels.npy'))), first);
  mkdirSync(join(dir, 'npy'));
  writeFileSync(join(dir, 'npy', 'images.npy'), encodeNpy(images));
  writeFileSync(join(dir, 'npy', 'labels.npy'), encodeNpy(labels));
  writeFileSync(join(dir, 'data.npz'), encodeNpz({ x: images, y: labels }));
});

describe('nncf-ts train on the bundled example', () => {
  it('the example labels are int64, as NumPy saves them', () => {
    expect(labels.dtype).toBe('int64');
  });

  it.each([
    ['a .npy directory (images.npy + labels.npy)', 'npy'],
    ['an .npz', 'data.npz'],
  ])('trains one epoch on %s with int64 labels and reports the validation accuracy', async (_what, data) => {
    const out = join(dir, `${data}.onnx`);
    const r = await runCli(
      'train', '--model', join(EXAMPLE, 'model.onnx'), '--config', join(EXAMPLE, 'int8.json'),
      '--train', join(dir, data), '--val', join(dir, data), '--out', out, '--epochs', '1', '--batch-size', '32', '--no-progress',
    );
    expect(r.err).not.toMatch(/BigInt/);
    expect(r.code).toBe(0);
    const acc = Number(/val acc ([\d.]+)/.exec(r.out)?.[1]);
    expect(acc).toBeGreaterThan(0.5); // the FP32 model scores ≥ 90% on the example; one QAT epoch keeps most of it
    expect(r.out).toContain(`saved ${out}`);
  });
});
