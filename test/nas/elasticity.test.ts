/**
 * The multi-elasticity contract (src/algorithms/nas/elasticity.ts) with the elastic kernel plugged in:
 * search space and design vectors (NNCF get_design_vars_info / get_config_from_pymoo), seeded random
 * subnets, MACs of the active subnet (hand-counted), enabling/disabling a dimension, and the exported
 * standalone subnet computing on onnxruntime what the elastic model computes on the engine (1e-4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ElasticKernelHandler } from '../../src/algorithms/nas/elastic-kernel/index.js';
import { MultiElasticityHandler } from '../../src/algorithms/nas/elasticity.js';
import { CompressedModel } from '../../src/compression/index.js';
import { Random } from '../../src/data/random.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt, seededFloats } from '../onnx/ort-utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x[2,3,8,8] → c1 (3→4, 5×5, pad 2) → Relu → c2 (4→6, 5×5, stride 2, pad 2) → GAP → Flatten → fc (6→2). */
function model() {
  const b = new OnnxBuilder({ opset: 13, seed: 7, name: 'me' });
  b.input('x', [2, 3, 8, 8]);
  const h = b.node('Relu', [b.node('Conv', ['x', b.randomWeight('w1', [4, 3, 5, 5]), b.uniform('b1', [4], -0.2, 0.2)], { pads: [2, 2, 2, 2] }, { name: 'c1' })]);
  const h2 = b.node('Conv', [h, b.randomWeight('w2', [6, 4, 5, 5])], { pads: [2, 2, 2, 2], strides: [2, 2], kernel_shape: [5, 5] }, { name: 'c2' });
  const f = b.node('Flatten', [b.node('GlobalAveragePool', [h2])], { axis: 1 });
  b.output(b.node('Gemm', [f, b.randomWeight('fc', [2, 6]), b.uniform('fcb', [2], -0.1, 0.1)], { transB: 1 }, { name: 'fc', outputs: ['y'] }), [2, 2]);
  const g = b.toGraph();
  const m = new CompressedModel(g, new Engine(g));
  const kernel = new ElasticKernelHandler(m);
  return { m, kernel, handler: new MultiElasticityHandler(m, { kernel }) };
}

describe('multi-elasticity handler (kernel only)', () => {
  it('search space, design vector ↔ config, MACs of the active subnet (hand-counted)', () => {
    const { m, handler } = model();
    expect(handler.availableDims()).toEqual(['kernel']);
    expect(handler.searchSpace()).toEqual({ kernel: [[5, 3], [5, 3]] });
    expect(handler.designVars()).toEqual({ count: 2, upper: [1, 1] });
    expect(handler.configFromVector([1, 0])).toEqual({ kernel: [3, 5] });
    // the 5→3 transform of each conv, for the optimizer and checkpoints
    expect(handler.trainableVariables().map((v) => v.shape)).toEqual([[9, 9], [9, 9]]);
    expect(handler.maximumConfig()).toEqual({ kernel: [5, 5] });
    expect(handler.minimumConfig()).toEqual({ kernel: [3, 3] });
    // c1: 25·3·4·64 = 19200 (k 3: 9·3·4·64 = 6912); c2: 25·4·6·16 = 9600 (k 3: 3456); fc: 6·2 per row × 2 rows = 24 (NNCF counts a linear layer over the leading output dims, the batch included)
    expect(handler.macs()).toBe(19200 + 9600 + 24);
    handler.activate({ kernel: [3, 5] });
    expect(handler.activeConfig()).toEqual({ kernel: [3, 5] });
    expect(handler.macs()).toBe(6912 + 9600 + 24);
    handler.activateMinimum();
    expect(handler.macs()).toBe(6912 + 3456 + 24);
    handler.activateSupernet();
    expect(handler.activeConfig()).toEqual({ kernel: [5, 5] });
    handler.dispose();
    m.engine.dispose();
  });

  it('random subnets are seeded; disabling a dimension restores its maximum and drops it from configs', () => {
    const { m, handler } = model();
    const a = Array.from({ length: 6 }, ((r) => () => handler.randomConfig(r))(new Random(3)));
    const b = Array.from({ length: 6 }, ((r) => () => handler.randomConfig(r))(new Random(3)));
    expect(a).toEqual(b);
    expect(new Set(a.map((c) => c.kernel!.join()))).not.toEqual(new Set([a[0].kernel!.join()]));
    handler.sampleRandom(new Random(3));
    expect(handler.activeConfig()).toEqual(a[0]);
    handler.activateMinimum();
    handler.enable('kernel', false);
    expect(handler.isEnabled('kernel')).toBe(false);
    expect(handler.activeConfig()).toEqual({});
    expect(handler.searchSpace()).toEqual({});
    expect(handler.designVars()).toEqual({ count: 0, upper: [] });
    expect(handler.macs()).toBe(19200 + 9600 + 24);
    expect(() => handler.activate({ kernel: [3, 3] })).toThrow(/elastic kernel is disabled/);
    handler.enable('kernel');
    handler.dispose();
    m.engine.dispose();
  });

  it('errors name the problem: a dimension not built, a bad design vector, a bad kernel size', () => {
    const { m, handler } = model();
    expect(() => handler.activate({ width: { 0: 8 } })).toThrow(/names width, but elastic width is not built for this model/);
    expect(() => handler.enable('depth')).toThrow(/elastic depth is not built for this model \(available: kernel\)/);
    expect(() => handler.configFromVector([0])).toThrow(/design vector has 1 entries, the search space 2/);
    expect(() => handler.configFromVector([0, 2])).toThrow(/design vector entry 1 is 2, outside 0..1/);
    expect(() => handler.activate({ kernel: [5, 1] })).toThrow(/kernel size 1 is not one of 5, 3/);
    expect(() => handler.activate({ depht: [1] } as never)).toThrow(/unknown elasticity dimension "depht"/);
    handler.dispose();
    m.engine.dispose();
  });

  it('6 random subnets: the exported standalone subnet on onnxruntime = the elastic model on the engine (1e-4), with smaller kernels', async () => {
    const { m, kernel, handler } = model();
    const x = seededFloats(2 * 3 * 8 * 8, 11);
    // learned transforms away from identity, so the export must carry them
    for (const op of kernel.ops)
      for (const mat of op.matrices.values()) tf.tidy(() => mat.assign(tf.add(mat, tf.mul(0.1, tf.tensor(seededFloats(mat.size, 5), mat.shape)))));
    tf.tidy(() => void m.run({ x: tf.tensor(x, [2, 3, 8, 8]) }));
    const before = tf.memory().numTensors;
    const rng = new Random(1);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const c = handler.randomConfig(rng);
      seen.add(c.kernel!.join());
      handler.activate(c);
      const got = tf.tidy(() => Array.from(m.run({ x: tf.tensor(x, [2, 3, 8, 8]) }).y.dataSync()));
      const sub = handler.exportSubnet();
      expect(sub.initializers.get('w1')!.dims).toEqual([4, 3, c.kernel![0], c.kernel![0]]);
      expect(sub.initializers.get('w2')!.dims).toEqual([6, 4, c.kernel![1], c.kernel![1]]);
      const ref = await runOrt(exportOnnx(sub), { x: { dims: [2, 3, 8, 8], data: x } });
      const want = Array.from(ref.y.data as Float32Array);
      expect(Math.max(...got.map((v, j) => Math.abs(v - want[j]))), `subnet ${c.kernel}`).toBeLessThan(1e-4);
    }
    expect(seen.size).toBeGreaterThan(1);
    // exporting another config leaves the active one in place
    handler.activate({ kernel: [5, 3] });
    const sub = handler.exportSubnet({ kernel: [3, 3] });
    expect(sub.initializers.get('w2')!.dims).toEqual([6, 4, 3, 3]);
    expect(handler.activeConfig()).toEqual({ kernel: [5, 3] });
    expect(m.graph.initializers.get('w1')!.dims).toEqual([4, 3, 5, 5]);
    expect(tf.memory().numTensors).toBe(before);
    handler.dispose();
    m.engine.dispose();
  }, 120_000);
});
