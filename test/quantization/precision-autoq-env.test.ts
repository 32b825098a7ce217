/** AutoQ's pure environment (precision-autoq-env.ts): state features, action → bits, size budget, alignment, reward. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  alignGroupBits,
  AutoQEnvironment,
  autoqRawFeatures,
  autoqReward,
  constrainModelSize,
  mapPrecision,
  MinMaxScaler,
  modelSizeBits,
  nearestBits,
} from '../../src/algorithms/quantization/precision-autoq.js';
import type { QuantizerSpec } from '../../src/algorithms/quantization/placement/index.js';
import { createCompressedModel, QuantizationController } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { loadDigitsCnn } from './digits-cnn.js';

let graph: Graph;
let setup: QuantizerSpec[];

beforeAll(async () => {
  await initBackend('wasm');
  const c = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 1, 8, 8] },
    target_device: 'NPU',
    compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 0 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
  });
  const r = await createCompressedModel(await loadDigitsCnn(), c);
  graph = r.model.graph;
  setup = (r.controller as QuantizationController).modules.map((m) => structuredClone(m.placed));
  r.controller.dispose?.();
  r.model.engine.dispose();
});

describe('AutoQ state features', () => {
  it("NNCF's columns per quantizer of the digits CNN (placement order)", () => {
    expect(setup.map((q) => q.id)).toEqual([
      'conv1/Conv|WEIGHT',
      'conv2/Conv|WEIGHT',
      'conv3/Conv|WEIGHT',
      'fc1/Gemm|WEIGHT',
      'fc2/Gemm|WEIGHT',
      'input|OUTPUT',
      'relu1/Relu|OUTPUT',
      'relu4/Relu|OUTPUT',
      'relu3/Relu|OUTPUT',
      'relu2/Relu|OUTPUT',
    ]);
    //            conv_dw cin cout stride kernel param ifm prev idx wq
    expect(autoqRawFeatures(graph, setup)).toEqual([
      [0, 1, 16, 1, 3, 144, 64, 0, 0, 1], // conv1 W [16,1,3,3] on 8×8
      [0, 16, 32, 1, 3, 4608, 64, 0, 1, 1],
      [0, 32, 128, 1, 3, 36864, 16, 0, 2, 1], // after the 2×2 pool: 4×4
      [0, 512, 512, 0, 1, 262144, 512, 0, 3, 1], // linear: stride 0, kernel 1, ifm = in features
      [0, 512, 10, 0, 1, 5120, 512, 0, 4, 1],
      [0, 1, 1, 0, 0, 0, 64, 0, 5, 0], // activations: cin = cout = channels, ifm = H·W
      [0, 16, 16, 0, 0, 0, 64, 0, 6, 0],
      [0, 512, 512, 0, 0, 0, 512, 0, 7, 0], // rank-2 tensor: the last dim
      [0, 128, 128, 0, 0, 0, 16, 0, 8, 0],
      [0, 32, 32, 0, 0, 0, 64, 0, 9, 0],
    ]);
  });

  it('min-max normalisation (sklearn MinMaxScaler) with prev_action annotated max/min bits on the first/last row', () => {
    const s = new MinMaxScaler([
      [1, 5, 0],
      [3, 5, 8],
      [2, 5, 2],
    ]);
    expect(s.transform([2, 5, 4])).toEqual([0.5, 0, 0.5]);
    expect(s.transform([3, 7, 0])).toEqual([1, 2, 0]); // a constant column keeps scale 1
    const env = new AutoQEnvironment(graph, setup, { hwConstrained: true, bits: [2, 4, 8], compressionRatio: 0.15, device: 'NPU' });
    // NPU widths: weights 8/16/4/2, activations 8/16/4 → model space [2, 4, 8, 16]
    expect(env.modelSpace).toEqual([2, 4, 8, 16]);
    expect(env.spaces[0]).toEqual([8, 16, 4, 2]);
    expect(env.spaces[5]).toEqual([8, 16, 4]);
    const o0 = env.observation(0);
    expect(o0).toHaveLength(10);
    // conv1 over the column ranges cin [1, 512], cout [1, 512], stride [0, 1], kernel [0, 3], param [0, 262144], ifm [16, 512]
    expect(o0[1]).toBe(0);
    expect(o0[2]).toBeCloseTo(15 / 511, 12);
    expect(o0.slice(3, 5)).toEqual([1, 1]);
    expect(o0[5]).toBeCloseTo(144 / 262144, 12);
    expect(o0[6]).toBeCloseTo(48 / 496, 12);
    expect([o0[7], o0[8], o0[9]]).toEqual([0, 0, 1]);
    expect(env.observation(9)[8]).toBe(1);
    // prev_action of the next quantizer = chosen bits / 16 (scaler fitted on 0..16)
    const r = env.step(0.3); // → 4 bits
    expect(r).toMatchObject({ done: false, bits: 4 });
    expect(r.observation[7]).toBeCloseTo(4 / 16, 12);
    expect(r.observation).toEqual(env.observation(1));
  });
});

describe('AutoQ action → bits', () => {
  it("NNCF's map_precision thresholds over {2, 4, 8}, then the nearest width of the quantizer's space", () => {
    expect([0, 0.125, 0.1251, 0.5, 0.5001, 1].map(mapPrecision)).toEqual([2, 2, 4, 4, 8, 8]);
    expect(nearestBits(2, [8, 16, 4])).toBe(4); // activation on NPU: no 2 bits
    expect(nearestBits(8, [8, 4])).toBe(8);
    expect(nearestBits(6, [8, 4])).toBe(8); // tie: the first in the space's order (np.argmin)
    expect(nearestBits(6, [4, 8])).toBe(4);
  });

  it('an episode: one step per quantizer, the last one is done; groups of adjacent quantizers share their intersected space', () => {
    const env = new AutoQEnvironment(graph, setup, { hwConstrained: true, bits: [2, 4, 8], compressionRatio: 10, device: 'NPU' });
    expect(env.groups).toEqual([
      [0, 5],
      [1, 6],
      [2, 9],
      [3, 8],
      [4, 7],
    ]);
    expect([...env.groupSpaces[0]].sort((a, b) => a - b)).toEqual([4, 8, 16]);
    const actions = [0.1, 0.9, 0.3, 0.9, 0.9, 0.9, 0.1, 0.3, 0.9, 0.9];
    const steps = actions.map((a) => env.step(a));
    expect(steps.map((s) => s.bits)).toEqual([2, 8, 4, 8, 8, 8, 4, 4, 8, 8]);
    expect(steps.map((s) => s.done)).toEqual([false, false, false, false, false, false, false, false, false, true]);
    expect(() => env.step(0.5)).toThrow(/episode is over/);
    const out = env.finish();
    // no budget pressure (ratio 10); alignment: group conv1+input: min 2 not in {4,8,16} → 4 for the activation, the weight keeps 2;
    // conv2 (8) + relu1 (4) → both 4; conv3 (4) + relu2 (8) → both 4; fc1 8 + relu3 8; fc2 8 + relu4 4 → 4
    expect(out.unconstrained).toEqual([2, 8, 4, 8, 8, 8, 4, 4, 8, 8]);
    expect(out.bits).toEqual([2, 4, 4, 8, 4, 4, 4, 4, 8, 4]);
    expect(out.sizeRatio).toBeCloseTo(modelSizeBits(env.params, out.bits) / env.fpSizeBits, 12);
    env.reset();
    expect(env.observation(1)[7]).toBe(0);
  });

  it('TRIAL: every quantizer takes `bits`', () => {
    const env = new AutoQEnvironment(graph, setup, { hwConstrained: false, bits: [8, 4], compressionRatio: 0.15, device: 'TRIAL' });
    expect(env.spaces.every((s) => s.join() === '4,8')).toBe(true);
    expect(() => new AutoQEnvironment(graph, setup, { hwConstrained: false, bits: [], compressionRatio: 0.15, device: 'TRIAL' })).toThrow(/bits must be a non-empty list/);
  });
});

describe('AutoQ size budget (NNCF _constrain_model_size)', () => {
  const params = [100, 0, 50, 10];
  const spaces = [[2, 4, 8], [4, 8], [2, 4, 8], [4, 8]];
  const fp = 160 * 32;

  it('sweeps from the last quantizer back, one width per weight quantizer, until the size fits', () => {
    // budget 0.15 · 5120 = 768: 10·4 → 1240, 50·4 → 1040, (activation skipped), 100·4 → 640 ≤ 768
    const once = constrainModelSize([8, 8, 8, 8], params, spaces, 0.15 * fp);
    expect(once).toEqual([4, 8, 4, 4]);
    expect(modelSizeBits(params, once)).toBeLessThanOrEqual(0.15 * fp);
    // budget 512: a second sweep; the last weight is at its minimum (4), 50·2 → 540, 100·2 → 340
    expect(constrainModelSize([8, 8, 8, 8], params, spaces, 0.1 * fp)).toEqual([2, 8, 2, 4]);
    // already within budget: unchanged
    expect(constrainModelSize([2, 8, 8, 4], params, spaces, 0.15 * fp)).toEqual([2, 8, 8, 4]);
    // unreachable budget: every weight at its smallest width, activations untouched
    expect(constrainModelSize([8, 8, 8, 8], params, spaces, 0)).toEqual([2, 8, 2, 4]);
  });

  it('on the digits CNN the episode result respects 0.15 of the FP32 size', () => {
    const env = new AutoQEnvironment(graph, setup, { hwConstrained: true, bits: [2, 4, 8], compressionRatio: 0.15, device: 'NPU' });
    for (let i = 0; i < 10; i++) env.step(1);
    const out = env.finish();
    expect(out.unconstrained.every((b) => b === 8)).toBe(true);
    expect(out.sizeRatio).toBeLessThanOrEqual(0.15);
    // 308880 weights: all-8 is 2471040 bits, the budget 1482624; the sweep from the back lowers fc2 (→ 2450560), then
    // fc1 (→ 1401984, fits): the convs keep 8 bits; fc2's 4-bit weight pulls relu4 (its group) to 4
    expect(out.bits).toEqual([8, 8, 8, 4, 4, 8, 8, 4, 4, 8]);
  });

  it('group alignment: activations take the group minimum (or the smallest common width), weights never rise', () => {
    const groups = [
      [0, 1],
      [2, 3],
    ];
    const spaces2 = [new Set([4, 8]), new Set([4, 8])];
    expect(alignGroupBits([8, 2, 4, 8], [false, true, false, true], groups, spaces2)).toEqual([4, 2, 4, 4]);
  });
});

describe('AutoQ reward', () => {
  it('score scaled by the order of magnitude of the FP32 score', () => {
    expect(autoqReward(0.97, 0.98)).toBeCloseTo(9.7, 12);
    expect(autoqReward(75.3, 76.1)).toBeCloseTo(7.53, 12);
    expect(autoqReward(0.04, 0.05)).toBeCloseTo(4, 12);
    expect(autoqReward(0.3, 0)).toBe(0.3);
  });
});
