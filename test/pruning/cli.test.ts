/**
 * `nncf-ts compress` with filter_pruning: the written model is physically smaller (pruning_init is the
 * level set at build time), `--keep-shape` writes NNCF's masked zeros in the original shapes, and
 * `--keep-shape` without a filter_pruning section is a usage error (exit 2).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-pruning-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MODEL = 'examples/fashion-mnist/model.onnx';
const DATA = 'examples/fashion-mnist/images.npy';
const config = (compression: object) => {
  const p = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, JSON.stringify({ input_info: { sample_size: [1, 1, 28, 28] }, compression }));
  return p;
};
const weight = (file: string, name: string) => parseOnnx(new Uint8Array(readFileSync(file))).initializers.get(name)!;

describe('nncf-ts compress with filter_pruning', () => {
  it('writes a smaller model; --keep-shape keeps the shapes with zeroed filters', async () => {
    const c = config({ algorithm: 'filter_pruning', pruning_init: 0.4 });
    const small = join(dir, 'small.onnx');
    const r = await runCli('compress', '--model', MODEL, '--config', c, '--data', DATA, '--out', small, '--quiet');
    expect(r.code, r.err).toBe(0);
    const full = weight(MODEL, 'head.weight');
    // head/Conv: 144 filters, 0.4 keeps ceil(86.4/8)·8 = 88
    expect(weight(small, 'head.weight').dims).toEqual([88, ...full.dims.slice(1).map((d, i) => (i === 0 ? 88 : d))]);
    const kept = join(dir, 'kept.onnx');
    const k = await runCli('compress', '--model', MODEL, '--config', c, '--data', DATA, '--out', kept, '--quiet', '--keep-shape');
    expect(k.code, k.err).toBe(0);
    const w = weight(kept, 'head.weight');
    expect(w.dims).toEqual(full.dims);
    const per = w.dims.slice(1).reduce((a, b) => a * b, 1);
    let zeroFilters = 0;
    for (let f = 0; f < w.dims[0]; f++) if ((w.values as Float32Array).subarray(f * per, (f + 1) * per).every((v) => v === 0)) zeroFilters++;
    expect(zeroFilters).toBe(144 - 88);
  }, 120_000);

  it('--keep-shape without filter_pruning is a usage error', async () => {
    const r = await runCli('compress', '--model', MODEL, '--config', config({ algorithm: 'quantization' }), '--data', DATA, '--out', join(dir, 'q.onnx'), '--quiet', '--keep-shape', '--no-latency-check', '--limit', '32');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--keep-shape applies to filter_pruning/);
  }, 120_000);
});
