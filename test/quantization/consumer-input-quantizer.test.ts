/**
 * NNCF's per-consumer input quantizer: when a tensor branches to a quantizable op (Conv) and to an op
 * that takes float input (Sigmoid → graph output), NNCF quantizes only what the Conv reads
 * (`conv2|INPUT0`, a pre-hook); the Sigmoid keeps reading the float tensor. Checked on the engine
 * (simulated) and in both exports on onnxruntime-node.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, exportCompressedModelBytes, QuantizationController } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset, ndarray, Random } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { decodeModelProto } from '../../src/graph/onnx-proto/index.js';
import { inferShapes } from '../../src/graph/shape-inference/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { GraphBuilder } from '../graph/graph-builder.js';

function branchingModel() {
  const b = new GraphBuilder();
  const x = b.input('x', ['N', 3, 8, 8]);
  const r1 = b.op('Relu', 'relu1', [b.conv('conv1', x, 3, 4)]);
  b.output(b.conv('conv2', r1, 4, 4));
  b.output(b.op('Sigmoid', 'sig', [r1]));
  const g = b.build();
  const rng = new Random(7);
  for (const t of g.initializers.values()) {
    const v = t.values as Float32Array;
    for (let i = 0; i < v.length; i++) v[i] = rng.float() - 0.5;
  }
  inferShapes(g);
  return g;
}

const rng = new Random(3);
const data = ndarray('float32', [16, 3, 8, 8], Float32Array.from({ length: 16 * 192 }, () => 2 * rng.float() - 1));
const config = (compression: object = {}) =>
  NNCFConfig.fromObject({ input_info: { sample_size: [1, 3, 8, 8] }, compression: { algorithm: 'quantization', initializer: { batchnorm_adaptation: { num_bn_adaptation_samples: 0 } }, ...compression } });

async function ortOutputs(bytes: Uint8Array, x: typeof data) {
  const s = await OrtSession.create(bytes);
  try {
    return await s.run({ x });
  } finally {
    await s.release();
  }
}

describe('per-consumer input quantizer on a branching tensor', () => {
  beforeAll(() => initBackend('wasm'));

  it('only the Conv reads the quantized tensor: Sigmoid sees the float relu1; FakeQuantize export rewires conv2 only', async () => {
    // FakeQuantize asked for explicitly (the default export is QDQ since issue 11)
    const r = await createCompressedModel(branchingModel(), config({ export_to_onnx_standard_ops: false }), { initDataset: new Dataset(data) });
    try {
      const ctrl = r.controller as QuantizationController;
      expect(ctrl.modules.map((m) => m.placed.id).sort()).toEqual(['conv1|WEIGHT', 'conv2|INPUT0', 'conv2|WEIGHT', 'x|OUTPUT']);
      const pre = ctrl.modules.find((m) => m.placed.id === 'conv2|INPUT0')!;
      expect(pre.inputPorts).toEqual({ relu1: [{ node: 'conv2', port: 0 }] });
      const before = tf.memory().numTensors;
      const x = tf.tensor(data.data, data.shape);
      const out = r.model.run({ x }, { outputs: ['relu1', 'sig'] });
      const relu1 = out.relu1.dataSync() as Float32Array;
      const sig = out.sig.dataSync() as Float32Array;
      tf.dispose([x, ...Object.values(out)]);
      expect(tf.memory().numTensors).toBe(before);
      let maxSig = 0;
      for (let i = 0; i < sig.length; i++) maxSig = Math.max(maxSig, Math.abs(sig[i] - 1 / (1 + Math.exp(-relu1[i]))));
      expect(maxSig).toBeLessThan(1e-6);
      // relu1 is not on the quantizer's grid, so what conv2 reads differs from what Sigmoid reads
      const q = pre.quantizer.fakeQuantizeParams();
      const step = (q.inputHigh[0] - q.inputLow[0]) / (q.levels - 1);
      expect(relu1.filter((v) => Math.abs(v / step - Math.round(v / step)) > 0.01).length).toBeGreaterThan(relu1.length / 4);

      const nodes = decodeModelProto(exportCompressedModelBytes(r)).graph!.node!;
      const fqOnRelu = nodes.filter((n) => n.op_type === 'FakeQuantize' && n.input![0] === 'relu1');
      expect(fqOnRelu).toHaveLength(1);
      expect(nodes.find((n) => n.name === 'sig')!.input).toEqual(['relu1']);
      expect(nodes.find((n) => n.name === 'conv2')!.input![0]).toBe(fqOnRelu[0].output![0]);
    } finally {
      r.controller.dispose();
    }
  });

  it('QDQ export: Q/DQ rewires only conv2 input; ORT matches the simulated model', async () => {
    const r = await createCompressedModel(branchingModel(), config({ export_to_onnx_standard_ops: true }), { initDataset: new Dataset(data) });
    try {
      const x = tf.tensor(data.data, data.shape);
      const out = r.model.run({ x });
      const sim = { conv2: out.conv2.dataSync() as Float32Array, sig: out.sig.dataSync() as Float32Array };
      tf.dispose([x, ...Object.values(out)]);
      const ort = await ortOutputs(exportCompressedModelBytes(r), data);
      const diff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      expect(diff(sim.sig, ort.sig.data as Float32Array)).toBeLessThan(1e-6);
      expect(diff(sim.conv2, ort.conv2.data as Float32Array)).toBeLessThan(1e-4);
    } finally {
      r.controller.dispose();
    }
  });
});

describe('per-consumer quantizer errors', () => {
  it('quantize_outputs on a graph output that nodes also read unquantized: clear error', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', ['N', 3, 8, 8]);
    const r1 = b.op('Relu', 'relu1', [b.conv('conv1', x, 3, 4)]);
    b.output(r1);
    b.output(b.op('Sigmoid', 'sig', [r1]));
    const g = b.build();
    inferShapes(g);
    await expect(createCompressedModel(g, config({ quantize_outputs: true }), { initDataset: new Dataset(data) })).rejects.toThrow(
      /quantizing graph output "relu1" for the output only, while nodes also read it unquantized, is not supported/,
    );
  });
});
