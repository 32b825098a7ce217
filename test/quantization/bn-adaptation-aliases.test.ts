/**
 * BN statistics that reach BatchNormalization through Identity (PyTorch's `training=PRESERVE` export of a
 * freshly initialised model: every running_mean = 0 / running_var = 1 deduplicated into one initializer)
 * are parameters of their own: createCompressedModel gives each one its own initializer, so BN adaptation
 * re-estimates every BN's statistics separately instead of silently leaving the aliased ones constant.
 */
import { describe, expect, it } from 'vitest';
import { createCompressedModel } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { seededFloats } from '../onnx/ort-utils.js';

/** conv1 → bn1 (reads zeros/ones directly) → conv2 → bn2 (reads them through Identity) → output. */
function freshBnModel() {
  const b = new OnnxBuilder({ opset: 13, seed: 3 });
  const x = b.input('input', ['N', 3, 8, 8]);
  const zeros = b.initializer('bn1.running_mean', 'float32', [4], [0, 0, 0, 0]);
  const ones = b.initializer('bn1.running_var', 'float32', [4], [1, 1, 1, 1]);
  const gamma = b.initializer('bn1.weight', 'float32', [4], [1, 1, 1, 1]);
  const beta = b.initializer('bn1.bias', 'float32', [4], [0, 0, 0, 0]);
  let y = b.node('Conv', [x, b.randomWeight('conv1.w', [4, 3, 3, 3])], { pads: [1, 1, 1, 1] }, { name: 'conv1' });
  y = b.node('BatchNormalization', [y, gamma, beta, zeros, ones], { epsilon: 1e-5, momentum: 0.9 }, { name: 'bn1' });
  y = b.node('Relu', [y], {}, { name: 'relu' });
  y = b.node('Conv', [y, b.randomWeight('conv2.w', [4, 4, 3, 3])], { pads: [1, 1, 1, 1] }, { name: 'conv2' });
  const alias = (src: string, name: string) => b.node('Identity', [src], {}, { name, outputs: [name] });
  y = b.node('BatchNormalization', [y, alias(gamma, 'bn2.weight'), alias(beta, 'bn2.bias'), alias(zeros, 'bn2.running_mean'), alias(ones, 'bn2.running_var')],
    { epsilon: 1e-5, momentum: 0.9 }, { name: 'bn2', outputs: ['out'] });
  b.output(y, ['N', 4, 8, 8]);
  return parseOnnx(b.toBytes());
}

describe('BN adaptation with statistics behind Identity', () => {
  it('adapts each BN separately; the shared source keeps serving bn1 only', async () => {
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 8, 8] },
      compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 16 }, batchnorm_adaptation: { num_bn_adaptation_samples: 16 } } },
    });
    const data = new Dataset({ dtype: 'float32', shape: [16, 3, 8, 8], data: seededFloats(16 * 3 * 8 * 8, 5) } as never);
    const r = await createCompressedModel(freshBnModel(), config, { initDataset: data });
    const read = (n: string) => Array.from(r.model.engine.getWeight(n).dataSync() as Float32Array);
    const [m1, v1, m2, v2] = ['bn1.running_mean', 'bn1.running_var', 'bn2.running_mean', 'bn2.running_var'].map(read);
    // all four moved away from the fresh 0 / 1, and bn2's statistics are not bn1's
    for (const m of [m1, m2]) expect(Math.max(...m.map(Math.abs))).toBeGreaterThan(1e-3);
    for (const v of [v1, v2]) expect(Math.max(...v.map((x) => Math.abs(x - 1)))).toBeGreaterThan(1e-3);
    expect(m2).not.toEqual(m1);
    expect(v2).not.toEqual(v1);
    // gamma/beta are not touched by adaptation: still the fresh values, for both BNs
    expect(read('bn2.weight')).toEqual([1, 1, 1, 1]);
    expect(read('bn1.bias')).toEqual([0, 0, 0, 0]);
    expect(r.model.graph.nodes.filter((n) => n.opType === 'Identity')).toHaveLength(0);
    r.controller.dispose();
    r.model.engine.dispose();
  }, 120_000);
});
