import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { buildPlan } from '../../src/report/plan/index.js';
import { renderPlan } from '../../src/report/plan/plan-text.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const MODEL = 'examples/fashion-mnist/model.onnx';
const cfg = (section: object) => NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 28, 28] }, compression: section });

describe('plan with sparsity (issue 13 item 9)', () => {
  it('magnitude: level, target, stage, measured levels and per-layer thresholds per record; sizes of FP32 and export', async () => {
    const graph = parseOnnx(new Uint8Array(readFileSync(MODEL)));
    const plan = await buildPlan(graph, cfg({ algorithm: 'magnitude_sparsity', params: { schedule: 'polynomial', power: 1, sparsity_target: 0.5, sparsity_target_epoch: 2 } }), { epochs: 3, stepsPerEpoch: 1 });
    const states = plan.schedule.filter((r) => r.step === -1).map((r) => r.algorithms.magnitude_sparsity);
    expect(states.map((s) => s.level)).toEqual([0, 0, 0.25, 0.5]);
    expect(states.map((s) => s.stage)).toEqual(['UNCOMPRESSED', 'UNCOMPRESSED', 'PARTIALLY_COMPRESSED', 'FULLY_COMPRESSED']);
    const last = states[3];
    expect(last.target_level).toBe(0.5);
    // masks keep importance > thr: the measured share of zeros is at least the level (ties and zeros add)
    expect(last.sparsity_level_for_layers as number).toBeGreaterThanOrEqual(0.5);
    expect(last.sparsity_level_for_layers as number).toBeLessThan(0.5 + 1e-4);
    expect(last.model_sparsity_level as number).toBeLessThan(last.sparsity_level_for_layers as number);
    const thr = last.thresholds as Record<string, number>;
    const layers = (plan.algorithms[0].sparsified_layers as { name: string }[]).map((l) => l.name);
    expect(Object.keys(thr)).toEqual(layers);
    expect(new Set(Object.values(thr)).size).toBe(1); // global mode: one threshold
    const z = plan.sizes!;
    expect(z.fp32_gzip_bytes).toBe(gzipSync(exportOnnx(parseOnnx(new Uint8Array(readFileSync(MODEL)))), { level: 9 }).length);
    expect(z.exported_gzip_bytes).toBeLessThan(0.6 * z.fp32_gzip_bytes);
    expect(z.exported_bytes).toBeLessThanOrEqual(z.fp32_bytes);
    expect(renderPlan(plan)).toMatch(/model size \(bytes; gzip/);
  }, 120_000);
  it('rb: the loss is part of the state', async () => {
    const graph = parseOnnx(new Uint8Array(readFileSync(MODEL)));
    const plan = await buildPlan(graph, cfg({ algorithm: 'rb_sparsity', sparsity_init: 0.1, params: { sparsity_target: 0.5, sparsity_target_epoch: 1 } }), { epochs: 2, stepsPerEpoch: 0 });
    const states = plan.schedule.map((r) => r.algorithms.rb_sparsity);
    // all masks kept (S/P = 1): loss = (level / 0.05)²
    expect(states[0].loss as number).toBeCloseTo((0.1 / 0.05) ** 2, 3);
    expect(states[2].loss as number).toBeCloseTo((0.5 / 0.05) ** 2, 3);
    expect(states[2].stage).toBe('FULLY_COMPRESSED');
  }, 120_000);
});
