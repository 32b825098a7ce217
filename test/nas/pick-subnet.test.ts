/**
 * Choosing a subnet of a front (pickFrontSubnet) on a hand-made front, and the trained supernet's state
 * (supernetState / loadSupernetState) carrying what the ONNX weights do not: the channel order, the
 * indicators and elastic kernel's trained transform matrices — a handler built again from the config and
 * given the state exports the same subnet (same outputs) as the original.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { elasticHandlerFromConfig, loadSupernetState, pickFrontSubnet, supernetState, SubnetChoiceError, type ElasticWidthHandler, type MultiElasticityHandler } from '../../src/algorithms/nas/index.js';
import { CompressedModel, graphWithEngineWeights } from '../../src/compression/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { bigKernels } from './nas-models.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('pickFrontSubnet', () => {
  // supernet 100 MACs; sorted by MACs as nas writes the front
  const front = [
    { macs: 20, top1: 60 },
    { macs: 40, top1: 75 },
    { macs: 50, top1: 75 },
    { macs: 55, top1: 74 },
    { macs: 80, top1: 90 },
  ];
  it('by index; by budget the most accurate within it (inclusive), ties to fewer MACs; the ratio scales the supernet\'s MACs', () => {
    expect(pickFrontSubnet(front, 100, { index: 3 })).toBe(3);
    expect(pickFrontSubnet(front, 100, { maxMacs: 19.99 + 0.01 })).toBe(0);
    expect(pickFrontSubnet(front, 100, { maxMacs: 39 })).toBe(0);
    expect(pickFrontSubnet(front, 100, { maxMacs: 60 })).toBe(1); // 75 at 40 and at 50: fewer MACs
    expect(pickFrontSubnet(front, 100, { maxMacs: 80 })).toBe(4);
    expect(pickFrontSubnet(front, 100, { maxMacsRatio: 0.55 })).toBe(1);
    expect(pickFrontSubnet(front, 200, { maxMacsRatio: 0.4 })).toBe(4);
    expect(pickFrontSubnet(front, 100, { maxMacsRatio: 1 })).toBe(4);
  });

  it('errors: index out of range names the front size; an empty budget names the smallest subnet; bad numbers', () => {
    expect(() => pickFrontSubnet(front, 100, { index: 5 })).toThrow('index 5 is out of range: the front has 5 subnet(s), indices 0..4');
    expect(() => pickFrontSubnet(front, 100, { maxMacs: 19 })).toThrow('no subnet of the front is within 19 MACs: the smallest has 20 MACs (0.2000 × the supernet), top-1 60.00%');
    expect(() => pickFrontSubnet(front, 1000, { maxMacsRatio: 0.01 })).toThrow("no subnet of the front is within 0.01 × the supernet's 1000 MACs = 10 MACs: the smallest has 20 MACs");
    expect(() => pickFrontSubnet([], 100, { index: 0 })).toThrow('the front is empty');
    expect(() => pickFrontSubnet(front, 100, { index: 1.5 })).toThrow(SubnetChoiceError);
    expect(() => pickFrontSubnet(front, 100, { maxMacs: 0 })).toThrow('max MACs must be a positive number');
    expect(() => pickFrontSubnet(front, 100, { maxMacsRatio: 1.2 })).toThrow('max MACs ratio must be in (0, 1]');
  });
});

describe('supernet state', () => {
  const config = {
    training: {
      elasticity: {
        available_elasticity_dims: ['kernel', 'width', 'depth'],
        width: { min_width: 4, width_step: 4, max_num_widths: 3 },
        depth: { skipped_blocks: [['stem/relu', 'out/relu']] },
      },
    },
  };
  const logits = (m: CompressedModel) => tf.tidy(() => Array.from(m.run({ input: tf.sin(tf.mul(tf.reshape(tf.range(0, 2 * 3 * 10 * 10), [2, 3, 10, 10]), 0.07)) }).logits.dataSync()));

  it('channel order, indicators and trained kernel transforms come back: the same subnet outputs (1e-6); a handler without kernel is refused', () => {
    const before = tf.memory().numTensors;
    const g = bigKernels();
    const a = new CompressedModel(g, new Engine(g));
    const ha: MultiElasticityHandler = elasticHandlerFromConfig(a, config);
    expect(ha.availableDims()).toEqual(['kernel', 'width', 'depth']);
    (ha.dims.width as ElasticWidthHandler).reorganizeWeights();
    (ha.dims.width as unknown as { widthIndicator: number }).widthIndicator = 2;
    (ha.dims.depth as unknown as { depthIndicator: number }).depthIndicator = 1;
    // "train" the transforms: any change the ONNX weights do not carry
    for (const [i, v] of ha.dims.kernel!.trainableVariables!().entries()) tf.tidy(() => v.assign(tf.add(v, tf.fill(v.shape, 0.01 * (i + 1)))));
    const sub = { kernel: ha.dims.kernel!.minimumConfig(), width: ha.dims.width!.minimumConfig(), depth: [] };
    ha.activate(sub);
    const want = logits(a);
    const state = JSON.parse(JSON.stringify(supernetState(ha))) as ReturnType<typeof supernetState>;
    expect(state.kernel_transforms!.length).toBe(ha.dims.kernel!.trainableVariables!().length);
    expect(state.elasticity.dims.depth).toEqual({ depth_indicator: 1 });
    expect((state.elasticity.dims.width as { width_indicator: number }).width_indicator).toBe(2);

    // again from the ONNX weights and the config
    const g2 = graphWithEngineWeights(a);
    const b = new CompressedModel(g2, new Engine(g2));
    const hb = elasticHandlerFromConfig(b, config);
    loadSupernetState(hb, state);
    hb.activate(sub);
    expect(hb.macs()).toBe(ha.macs());
    const got = logits(b);
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-6);
    // without the transforms the kernel-cropped subnet differs: the state is what carries them
    const c = new CompressedModel(g2, new Engine(g2));
    const hc = elasticHandlerFromConfig(c, config);
    loadSupernetState(hc, { ...state, kernel_transforms: state.kernel_transforms!.map((t) => ({ shape: t.shape, data: t.data.map((v, i) => v - (i === 0 ? 0.5 : 0)) })) });
    hc.activate(sub);
    expect(Math.max(...logits(c).map((v, i) => Math.abs(v - want[i])))).toBeGreaterThan(1e-4);
    // built without kernel elasticity: the saved transforms do not fit
    const d = new CompressedModel(g2, new Engine(g2));
    const hd = elasticHandlerFromConfig(d, { training: { elasticity: { ...config.training.elasticity, available_elasticity_dims: ['width', 'depth'] } } });
    expect(() => loadSupernetState(hd, state)).toThrow(/elastic kernel transform\(s\) saved, the handler built from the config has 0/);
    for (const [h, m] of [[ha, a], [hb, b], [hc, c], [hd, d]] as const) {
      h.dispose();
      m.engine.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
