import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import { MagnitudeSparsityController, SparsityConfigError } from '../../src/algorithms/sparsity/index.js';
import { exportCompressedModelBytes } from '../../src/api.js';
import { CompressionStage, createCompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/**
 * Conv(1→2, 1×1, bias) → BN → ReLU → GAP → Flatten → Gemm(2→2, transB) with hand-picked weights:
 * conv w [3, −4] (‖w‖ = 5), bias [0.5, 0]; BN scale [1, 1], shift [0, 0.1], running mean [0, 0];
 * gemm w [[1, −2], [0, 0.5]] (‖w‖ = √5.25), bias [0.1, 0.2]. Parameters: 2+2+2+2+4+2 = 14, zeros before
 * masking: conv bias 1, BN shift 1, gemm w 1 (running statistics are not parameters).
 */
function tiny() {
  const b = new OnnxBuilder({ opset: 13 });
  const x = b.input('x', ['N', 1, 2, 2]);
  let y = b.node('Conv', [x, b.initializer('conv.w', 'float32', [2, 1, 1, 1], [3, -4]), b.initializer('conv.b', 'float32', [2], [0.5, 0])], { kernel_shape: [1, 1] }, { name: 'conv' });
  y = b.node('BatchNormalization', [y, b.initializer('bn.s', 'float32', [2], [1, 1]), b.initializer('bn.b', 'float32', [2], [0, 0.1]), b.initializer('bn.m', 'float32', [2], [0, 0]), b.initializer('bn.v', 'float32', [2], [1, 1])], { epsilon: 1e-5 }, { name: 'bn' });
  y = b.node('Relu', [y], {}, { name: 'relu' });
  y = b.node('Flatten', [b.node('GlobalAveragePool', [y], {}, { name: 'gap' })], { axis: 1 }, { name: 'flat' });
  y = b.node('Gemm', [y, b.initializer('fc.w', 'float32', [2, 2], [1, -2, 0, 0.5]), b.initializer('fc.b', 'float32', [2], [0.1, 0.2])], { transB: 1 }, { name: 'fc', outputs: ['logits'] });
  b.output(y, ['N', 2]);
  return b.toGraph();
}

const config = (section: object) => NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 2, 2] }, compression: [{ algorithm: 'magnitude_sparsity', ...section }] });

async function build(section: object) {
  const r = await createCompressedModel(tiny(), config(section));
  return { ...r, ctrl: r.controller as MagnitudeSparsityController };
}

const masks = (c: MagnitudeSparsityController) => c.masked.map((m) => Array.from(m.toOnnx(m.mask).dataSync()));

describe('magnitude_sparsity thresholds and masks (hand-computed)', () => {
  // normed_abs importances: conv [0.6, 0.8]; gemm [1, 2, 0, 0.5]/√5.25; sorted (6): 0, .218, .436, .6, .8, .873
  it('normed_abs, global level 0.6: thr = sorted[int(5·0.6)] = 0.6, kept iff > thr', async () => {
    const { ctrl } = await build({ sparsity_init: 0.6, params: { sparsity_target: 0.9 } });
    expect(ctrl.masked.map((m) => m.name)).toEqual(['conv', 'fc']);
    expect(ctrl.selectThreshold(0.6)).toBeCloseTo(0.6, 6);
    expect(masks(ctrl)).toEqual([[0, 1], [0, 1, 0, 0]]);
    const s = ctrl.statistics().values;
    expect(s.sparsity_level_for_layers).toBeCloseTo(4 / 6, 12);
    expect(s.sparsity_level).toBeCloseTo(6 / 14, 12); // 4 masked + conv bias + BN shift
    expect(s.target_sparsity_level).toBe(0.6);
    // threshold statistic: the global threshold at the measured level 4/6 → sorted[int(5·2/3)] = sorted[3]
    expect(ctrl.thresholds().map((t) => t.threshold)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.6, 6)]);
    expect(ctrl.compressionStage()).toBe(CompressionStage.PARTIALLY_COMPRESSED);
  });
  it('abs, level 0.6: thr = 2 (sorted |w| = 0, .5, 1, 2, 3, 4)', async () => {
    const { ctrl } = await build({ sparsity_init: 0.6, params: { weight_importance: 'abs' } });
    expect(ctrl.selectThreshold(0.6)).toBe(2);
    expect(masks(ctrl)).toEqual([[1, 1], [0, 0, 0, 0]]);
    expect(ctrl.statistics().values.sparsity_level_for_layers).toBeCloseTo(4 / 6, 12);
  });
  it('level 0.5 keeps the boundary weight out (strict >): gemm 1/√5.25 = thr is masked', async () => {
    const { ctrl } = await build({ sparsity_init: 0.5 });
    expect(masks(ctrl)).toEqual([[1, 1], [0, 1, 0, 0]]);
  });
  it('local mode: per-layer levels through the API, stub scheduler, FULLY_COMPRESSED', async () => {
    const { ctrl } = await build({ params: { sparsity_level_setting_mode: 'local' } });
    // level 0 → thr = sorted[0] = 0: the weight that is already 0 is masked too (0 > 0 is false)
    expect(masks(ctrl)).toEqual([[1, 1], [1, 1, 0, 1]]);
    ctrl.setSparsityLevel(0.5, 'conv'); // sorted [0.6, 0.8], int(1·0.5) = 0 → thr 0.6
    expect(masks(ctrl)).toEqual([[0, 1], [1, 1, 0, 1]]);
    expect(ctrl.thresholds().map((t) => t.threshold)).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(ctrl.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
    expect(ctrl.statistics().values.target_sparsity_level).toBeUndefined();
    expect(() => ctrl.setSparsityLevel(0.5, 'nope')).toThrow(/no sparsified layer "nope"/);
  });
  it('frozen layers keep their masks; compression_rate set unfreezes, sets, refreezes', async () => {
    const { ctrl } = await build({});
    ctrl.layer('conv').frozen = true;
    ctrl.setSparsityLevel(0.6);
    expect(masks(ctrl)).toEqual([[1, 1], [0, 1, 0, 0]]);
    ctrl.compressionRate = 0.6;
    expect(masks(ctrl)).toEqual([[0, 1], [0, 1, 0, 0]]);
    expect(ctrl.masked.every((m) => m.frozen)).toBe(true);
    expect(ctrl.compressionRate).toBeCloseTo(6 / 14, 12); // the model's sparsity level
  });
  it('levels outside [0, 1) are refused', async () => {
    const { ctrl } = await build({});
    expect(() => ctrl.setSparsityLevel(1)).toThrow(SparsityConfigError);
    expect(() => ctrl.setSparsityLevel(-0.1)).toThrow(/within \[0, 1\)/);
  });
  it('the scheduler drives the masks; the freeze epoch freezes them', async () => {
    const { ctrl } = await build({ sparsity_init: 0, params: { schedule: 'multistep', multistep_steps: [1, 2], multistep_sparsity_levels: [0, 0.5, 0.6], sparsity_freeze_epoch: 2 } });
    expect(ctrl.compressionStage()).toBe(CompressionStage.UNCOMPRESSED);
    ctrl.scheduler.epochStep();
    expect(masks(ctrl)).toEqual([[1, 1], [1, 1, 0, 1]]);
    ctrl.scheduler.epochStep();
    expect(masks(ctrl)).toEqual([[1, 1], [0, 1, 0, 0]]);
    ctrl.scheduler.epochStep(); // epoch 2 ≥ freeze epoch: frozen before 0.6 is set
    expect(masks(ctrl)).toEqual([[1, 1], [0, 1, 0, 0]]);
    expect(ctrl.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
    ctrl.disableScheduler();
    expect([ctrl.scheduler.targetLevel, ctrl.scheduler.currentSparsityLevel]).toEqual([0, 0]);
  });
  it('bad options are refused naming the key', async () => {
    await expect(build({ params: { sparsity_level_setting_mode: 'Global' } })).rejects.toThrow(/sparsity_level_setting_mode must be "global" or "local"/);
    await expect(build({ params: { schedule: 'adaptive' } })).rejects.toThrow(/params.schedule "adaptive"/);
    await expect(build({ ignored_scopes: ['nope'] })).rejects.toThrow(/ignored_scopes patterns that match no node/);
  });
  it('ignored/target scopes choose the layers', async () => {
    expect((await build({ ignored_scopes: ['fc'] })).ctrl.masked.map((m) => m.name)).toEqual(['conv']);
    expect((await build({ target_scopes: ['{re}f.'] })).ctrl.masked.map((m) => m.name)).toEqual(['fc']);
  });
});

describe('magnitude_sparsity model and export', () => {
  it('the mask multiplies the weight in forward; the export has the zeros and no mask; ORT agrees', async () => {
    const r = await build({ sparsity_init: 0.6 });
    const x = tf.tensor4d([0.5, -1, 2, 0.25, 1, 1, -0.5, 3], [2, 1, 2, 2]);
    const before = tf.memory().numTensors;
    const out = r.model.run({ x }).logits;
    const engineOut = Array.from(out.dataSync());
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const bytes = exportCompressedModelBytes(r);
    const s = await OrtSession.create(bytes);
    const ort = await s.run({ x: { dtype: 'float32', shape: [2, 1, 2, 2], data: x.dataSync() as Float32Array } });
    Array.from(ort.logits.data as Float32Array).forEach((v, i) => expect(Math.abs(v - engineOut[i])).toBeLessThan(1e-4));
    // hand value: conv keeps only −4 (mask [0,1]), gemm keeps only −2: logits = [0.1 − 2·h1, 0.2], h1 = mean relu(−4x + 0.1)
    const h1 = (xs: number[]) => xs.map((v) => Math.max(0, -4 * v + 0.1)).reduce((a, v) => a + v, 0) / 4;
    expect(engineOut[0]).toBeCloseTo(0.1 - 2 * h1([0.5, -1, 2, 0.25]), 4);
    expect(engineOut[1]).toBeCloseTo(0.2, 5);
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).not.toContain('Mask');
    await s.release?.();
    x.dispose();
  });
});
