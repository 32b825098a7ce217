import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { encodeNpy, ndarray } from '../../src/data/index.js';
import { affineModel } from '../runtime/tiny-models.js';

let dir: string;
const p = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-eval-'));
  await writeFile(p('affine.onnx'), affineModel());
  await writeFile(p('bad.onnx'), new Uint8Array([1, 2, 3]));
  // affine model outputs for these rows: [1.5, 0.5, 9.5] → class 2 and [0.5, 10.5, 0.5] → class 1
  await mkdir(p('data'));
  await writeFile(p('data/x.npy'), encodeNpy(ndarray('float32', [2, 3], Float32Array.from([1, -2, 3, -4, 5, -6]))));
  await writeFile(p('data/labels.npy'), encodeNpy(ndarray('int64', [2], BigInt64Array.from([2n, 0n]))));
  await mkdir(p('nolabels'));
  await writeFile(p('nolabels/x.npy'), encodeNpy(ndarray('float32', [2, 3])));
});

const cli = (...args: string[]) => runCli('eval', ...args);

describe('nncf-ts eval', () => {
  it('prints top-1 against hand-computed labels and agreement with the first model', async () => {
    const r = await cli('--model', p('affine.onnx'), '--model', p('affine.onnx'), '--data', p('data'));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${p('affine.onnx')}: top-1 50.00%\n`);
    expect(r.out).toContain('same class as');
    expect(r.out).toMatch(/on 100\.00%/);
  });

  it('--limit keeps the first samples', async () => {
    const r = await cli('--model', p('affine.onnx'), '--data', p('data'), '--limit', '1');
    expect(r.out).toContain('top-1 100.00%');
  });

  it('rejects data without labels, unreadable models and bad numbers with exit 2', async () => {
    const noLabels = await cli('--model', p('affine.onnx'), '--data', p('nolabels'));
    expect(noLabels.code).toBe(2);
    expect(noLabels.err).toMatch(/has no labels/);
    const badModel = await cli('--model', p('bad.onnx'), '--data', p('data'));
    expect(badModel.code).toBe(2);
    expect(badModel.err).toMatch(/cannot load model .*bad\.onnx/);
    const badLimit = await cli('--model', p('affine.onnx'), '--data', p('data'), '--limit', '0');
    expect(badLimit.code).toBe(2);
    expect(badLimit.err).toMatch(/--limit must be a positive integer/);
    const missing = await cli('--model', p('affine.onnx'), '--data', p('nope'));
    expect(missing.code).toBe(2);
  });
});
