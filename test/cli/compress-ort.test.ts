/**
 * `nncf-ts compress` for onnxruntime users: a fixed-batch model is calibrated with its batch (said once),
 * and the output and the report give the integer/float linear kernels ORT runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, ndarray } from '../../src/data/index.js';
import { runCli } from '../helpers/cli.js';
import { mobilenetV2Style } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-compress-ort-'));
const p = (n: string) => join(dir, n);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  writeFileSync(p('fixed.onnx'), mobilenetV2Style({ batch: 1, size: 16 }).bytes);
  writeFileSync(p('dynamic.onnx'), mobilenetV2Style({ size: 16 }).bytes);
  writeFileSync(p('x.npy'), encodeNpy(ndarray('float32', [40, 3, 16, 16], seededFloats(40 * 3 * 16 * 16, 2))));
  const init = { range: { num_init_samples: 40 }, batchnorm_adaptation: { num_bn_adaptation_samples: 40 } };
  const config = (compression: object) => JSON.stringify({ input_info: { sample_size: [1, 3, 16, 16] }, compression: { algorithm: 'quantization', initializer: init, ...compression } });
  writeFileSync(p('qdq.json'), config({ export_to_onnx_standard_ops: true }));
  writeFileSync(p('fq.json'), config({ export_to_onnx_standard_ops: false }));
});

const compress = (model: string, cfg: string, out: string, ...extra: string[]) =>
  runCli('compress', '--model', p(model), '--config', p(cfg), '--data', p('x.npy'), '--out', p(out), '--report', p(`${out}.json`), ...extra);

describe('nncf-ts compress on ORT', () => {
  it('a fixed-batch [1,3,16,16] model runs with the default --batch-size 32: batch 1, said once; every Conv/Gemm integer in ORT', async () => {
    // without the latency check: on a 16×16 model the Q/DQ overhead can make ORT choose float
    const r = await compress('fixed.onnx', 'qdq.json', 'fixed-int8.onnx', '--no-latency-check');
    expect(r.out).not.toContain('Latency check');
    expect(r.code).toBe(0);
    expect(r.err.match(/fixed batch of 1/g)).toHaveLength(1);
    expect(r.err).toContain('instead of batches of 32'); // said by createCompressedModel (test/initialization/fixed-batch.test.ts)
    expect(r.out).toContain('ORT linear kernels (Conv/Gemm/MatMul in the optimized graph): compressed 12 integer / 0 float; original 0 integer / 12 float');
    const report = JSON.parse(readFileSync(p('fixed-int8.onnx.json'), 'utf8'));
    expect(report.ort_linear_kernels.compressed).toMatchObject({ integer: 12, float: 0, integerOps: { QLinearConv: 11, 'com.microsoft:QGemm': 1 } });
    expect(report.ort_linear_kernels.original).toMatchObject({ integer: 0, float: 12 });
    expect(report.bn_adaptation_steps).toBe(40);
  }, 180_000);

  it('the latency check runs by default on a QDQ export and is in the statistics and the report (what it keeps float depends on the machine)', async () => {
    const r = await compress('dynamic.onnx', 'qdq.json', 'dyn-check.onnx', '--latency-check');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Latency check: blocks kept float\s+│ \d+ \/ \d+/);
    const stats = JSON.parse(readFileSync(p('dyn-check.onnx.json'), 'utf8')).statistics;
    expect(stats['quantization/Latency check: FP32 ms (min)']).toBeGreaterThan(0);
    expect(stats['quantization/Latency check: exported ms (min)']).toBeLessThanOrEqual(stats['quantization/Latency check: FP32 ms (min)']);
    const d = await compress('dynamic.onnx', 'qdq.json', 'dyn-default.onnx');
    expect(d.out).toContain('Latency check: blocks kept float');
  }, 300_000);

  it('a dynamic-batch model: no batch note; a FakeQuantize export: one warning that ORT cannot run it, kernels not counted, with the reason', async () => {
    const r = await compress('dynamic.onnx', 'fq.json', 'dyn-fq.onnx');
    expect(r.code).toBe(0);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nncf-ts: .*fq\.json:\d+:\d+: warning: compression\.export_to_onnx_standard_ops: false exports OpenVINO FakeQuantize nodes, which ONNX Runtime cannot run/);
    expect(r.out).toMatch(/ORT linear kernels: not counted \(onnxruntime cannot load the model: .+\)/);
    expect(JSON.parse(readFileSync(p('dyn-fq.onnx.json'), 'utf8')).ort_linear_kernels.error).toMatch(/FakeQuantize/);
  }, 180_000);
});
