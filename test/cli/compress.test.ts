import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { encodeNpy, ndarray } from '../../src/data/index.js';
import { OrtSession, top1Accuracy } from '../../src/runtime/index.js';
import { digitsCnn, digitsData, labelsOf } from '../quantization/digits-cnn.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-compress-'));
const p = (n: string) => join(dir, n);
let model: string;

const writeConfig = (name: string, compression: object) =>
  writeFileSync(p(name), JSON.stringify({ input_info: { sample_size: [1, 1, 8, 8] }, compression }));

beforeAll(async () => {
  model = await digitsCnn();
  const { train } = await digitsData();
  // Raw digits (0..16) as N×8×8 float32: the CLI's --preprocess and shape fitting make them N×1×8×8 /16.
  const raw = Float32Array.from(train.x.data as Float32Array, (v) => v * 16);
  writeFileSync(p('calib.npy'), encodeNpy(ndarray('float32', [train.length, 8, 8], raw)));
  mkdirSync(p('labelled'));
  writeFileSync(p('labelled/x.npy'), encodeNpy(ndarray('float32', [train.length, 8, 8], raw)));
  writeFileSync(p('labelled/labels.npy'), encodeNpy(ndarray('int64', [train.length], BigInt64Array.from(labelsOf(train), (v) => BigInt(v)))));
  writeFileSync(p('wrong.npy'), encodeNpy(ndarray('float32', [4, 3, 5], new Float32Array(60))));
  const bn = { batchnorm_adaptation: { num_bn_adaptation_samples: 256 } };
  writeConfig('int8.json', { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: bn });
  writeConfig('int4.json', { algorithm: 'quantization', weights: { bits: 4 }, initializer: bn });
  writeConfig('scopes.json', { algorithm: 'quantization', ignored_scopes: ['conv9/Conv'], initializer: bn });
  writeConfig('staged.json', { algorithm: 'quantization', initializer: bn, params: { activations_quant_start_epoch: 2 } });
  writeFileSync(
    p('hawq.json'),
    JSON.stringify({
      input_info: { sample_size: [1, 1, 8, 8] },
      target_device: 'NPU',
      compression: { algorithm: 'quantization', initializer: { ...bn, precision: { type: 'hawq', num_data_points: 64, iter_number: 10, compression_ratio: 1.5 } } },
    }),
  );
  writeFileSync(
    p('autoq.json'),
    JSON.stringify({
      input_info: { sample_size: [1, 1, 8, 8] },
      target_device: 'NPU',
      compression: { algorithm: 'quantization', initializer: { ...bn, precision: { type: 'autoq', iter_number: 3, warmup_iter_number: 2, compression_ratio: 0.15 } } },
    }),
  );
  writeFileSync(p('cpu-int8.json'), JSON.stringify({ target_device: 'CPU', compression: { algorithm: 'quantization', activations: { per_channel: true } } }));
}, 120_000);

const cli = (...args: string[]) => runCli('compress', ...args);
afterEach(() => vi.restoreAllMocks());

describe('nncf-ts compress', () => {
  it('quantizes, exports QDQ atomically, prints the statistics table and writes the report', async () => {
    const r = await cli('--model', model, '--config', p('int8.json'), '--data', p('calib.npy'), '--preprocess', 'scale=1/16', '--out', p('q.onnx'), '--report', p('q.json'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Statistics of quantization:');
    expect(r.out).toContain(`wrote the compressed model to ${p('q.onnx')}\nwrote the report to ${p('q.json')}`);
    expect(r.out).toMatch(/│ Weight quantizers\s+│ 5\s+│/);
    expect(r.out).toMatch(/│\s+8 │ 5 \/ 5 \(100\.00 %\)/);
    const report = JSON.parse(readFileSync(p('q.json'), 'utf8'));
    expect(report.totals).toMatchObject({ weight: 5, quantizers: report.quantizers.length, by_bits: { 8: { weight: 5 } } });
    expect(report.samples).toBe(1400);
    expect(report.range_init).toEqual({ initialized: report.quantizers.length, backend: 'ort' });
    expect(report.bn_adaptation_steps).toBe(8);
    const conv1 = report.quantizers.find((q: { id: string }) => q.id === 'conv1/Conv|WEIGHT');
    expect(conv1).toMatchObject({ kind: 'weight', bits: 8, mode: 'symmetric', signed: true, per_channel: true, channel_axis: 0, half_range: true, levels: 128 });
    expect(conv1.scale).toHaveLength(16);
    const relu = report.quantizers.find((q: { id: string }) => q.id === 'relu1/Relu|OUTPUT');
    expect(relu).toMatchObject({ kind: 'activation', signed: false, per_channel: false, levels: 256 });
    expect(relu.range.low[0]).toBe(0);
    expect(relu.range.high[0]).toBeCloseTo(relu.scale[0], 5);
    expect(report.statistics['quantization/Weight quantizers']).toBe(5);
    // the exported model runs and keeps accuracy
    const { test } = await digitsData();
    const s = await OrtSession.create(p('q.onnx'));
    expect((await top1Accuracy(s, test.x, labelsOf(test))).accuracy).toBeGreaterThan(0.94);
    await s.release();
  });

  it('HAWQ precision init from labelled data (default cross-entropy criterion): mixed 4/8-bit weights', async () => {
    const r = await cli('--model', model, '--config', p('hawq.json'), '--data', p('labelled'), '--preprocess', 'scale=1/16', '--out', p('hawq.onnx'), '--report', p('hawq.json.report'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(p('hawq.json.report'), 'utf8'));
    const weightBits = report.quantizers.filter((q: { kind: string }) => q.kind === 'weight').map((q: { bits: number }) => q.bits);
    expect(weightBits).toHaveLength(5);
    expect(new Set(weightBits)).toEqual(new Set([4, 8]));
    expect(report.hawq.compression_ratio).toBeGreaterThanOrEqual(1.5);
    expect(report.hawq.achievable_ratio[1]).toBeGreaterThanOrEqual(report.hawq.compression_ratio);
    expect([...report.hawq.trace_order].sort()).toEqual(report.quantizers.filter((q: { kind: string }) => q.kind === 'weight').map((q: { id: string }) => q.id).sort());
    // unlabelled data: HAWQ cannot run, the error names what is missing
    const u = await cli('--model', model, '--config', p('hawq.json'), '--data', p('calib.npy'), '--preprocess', 'scale=1/16', '--out', p('hawq2.onnx'));
    expect(u.code).toBe(1);
    expect(u.err).toMatch(/QuantizationPrecisionInitArgs/);
    expect(existsSync(p('hawq2.onnx'))).toBe(false);
  });

  it('AutoQ precision init from labelled data (top-1 accuracy on the engine as the score): bits within the size budget', async () => {
    const r = await cli('--model', model, '--config', p('autoq.json'), '--data', p('labelled'), '--preprocess', 'scale=1/16', '--out', p('autoq.onnx'), '--report', p('autoq.report.json'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(p('autoq.report.json'), 'utf8'));
    expect(report.autoq.episodes).toBe(3);
    expect(report.autoq.pretrained_score).toBeGreaterThan(0.9); // FP32 top-1 of the digits CNN on its training data
    const weights = report.quantizers.filter((q: { kind: string }) => q.kind === 'weight');
    expect(weights.every((q: { bits: number }) => [2, 4, 8].includes(q.bits))).toBe(true);
    expect(weights.some((q: { bits: number }) => q.bits < 8)).toBe(true);
    expect(report.autoq.model_size_ratio).toBeLessThanOrEqual(0.15);
  });

  it('a staged-scheduler config (params) warns that compress exports its quantizers disabled', async () => {
    const r = await cli('--model', model, '--config', p('staged.json'), '--data', p('calib.npy'), '--preprocess', 'scale=1/16', '--out', p('staged.onnx'));
    expect(r.code).toBe(0);
    expect(r.err).toContain('quantization.params (staged scheduler) keeps activation quantizers off until epoch 2 and weight quantizers until epoch 1');
    expect(existsSync(p('staged.onnx'))).toBe(true);
  });

  it('data that does not fit the model input: exit 1 naming both shapes, nothing written', async () => {
    const r = await cli('--model', model, '--config', p('int8.json'), '--data', p('wrong.npy'), '--out', p('w.onnx'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/data of shape \[4, 3, 5\] does not fit the model input \[1, 8, 8\]/);
    expect(existsSync(p('w.onnx'))).toBe(false);
  });

  it('bits or modes the target device forbids: exit 1 with the option and the op', async () => {
    const r = await cli('--model', model, '--config', p('int4.json'), '--data', p('calib.npy'), '--preprocess', 'scale=1/16', '--out', p('w4.onnx'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/quantization\.weights: "bits": 4 is incompatible with HW capabilities of target_device ANY/);
    const c = await cli('--model', model, '--config', p('cpu-int8.json'), '--data', p('calib.npy'), '--out', p('w5.onnx'));
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/"per_channel": true is incompatible with HW capabilities of target_device CPU/);
    expect(existsSync(p('w4.onnx')) || existsSync(p('w5.onnx'))).toBe(false);
  });

  it('scopes that match nothing (validate_scopes default true): exit 1 listing them', async () => {
    const r = await cli('--model', model, '--config', p('scopes.json'), '--data', p('calib.npy'), '--preprocess', 'scale=1/16', '--out', p('ws.onnx'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ignored_scopes patterns that match no node: \["conv9\/Conv"\]/);
  });

  it('unreadable model, config or data, bad --batch-size: exit 2', async () => {
    const args = (m: string, c: string, d: string, ...rest: string[]) => ['--model', m, '--config', c, '--data', d, '--out', p('x.onnx'), ...rest];
    expect((await cli(...args(p('none.onnx'), p('int8.json'), p('calib.npy')))).code).toBe(2);
    expect((await cli(...args(model, p('none.json'), p('calib.npy')))).code).toBe(2);
    const d = await cli(...args(model, p('int8.json'), p('none.npy')));
    expect(d.err).toMatch(/cannot read --data .*none\.npy: no such file or directory/);
    expect(d.code).toBe(2);
    expect((await cli(...args(model, p('int8.json'), p('calib.npy'), '--batch-size', '0'))).code).toBe(2);
  });
});
