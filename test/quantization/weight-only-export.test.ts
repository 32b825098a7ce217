/**
 * Weights whose op reads a float input are exported as integer initializer → Cast (→ Sub zero point) →
 * Mul scale (exporters/onnx/quantized/weight-only.ts): ORT folds that at load, where it would run a weight
 * DequantizeLinear on every inference. Checked: the form, the values (= the simulated model on ORT), and
 * that ORT's optimized graph has plain float weights left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, exportCompressedModelBytes, findQuantizationController, type CreateResult } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { decodeModelProto } from '../../src/graph/onnx-proto/index.js';
import { countLinearKernels, countOpTypes, OrtSession, saveOptimizedModel } from '../../src/runtime/index.js';
import { resnetStyle } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';

describe('weight-only export (8-bit weights, float activations)', () => {
  const model = resnetStyle({ size: 16, width: 8 });
  const x = seededFloats(3 * 16 * 16, 5);
  const dir = mkdtempSync(join(tmpdir(), 'weight-only-'));
  const created: CreateResult[] = [];
  const create = async (weights: object) => {
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 16, 16] },
      compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true, weights, initializer: { range: { num_init_samples: 8 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
    });
    const r = await createCompressedModel(model.graph, config, { initDataset: new Dataset({ dtype: 'float32', shape: [8, 3, 16, 16], data: seededFloats(8 * 3 * 256, 11) } as never) });
    created.push(r);
    for (const m of findQuantizationController(r.controller)!.modules) if (m.placed.kind === 'activation') m.quantizer.enabled = false;
    return r;
  };
  const ort = async (bytes: Uint8Array) => {
    const s = await OrtSession.create(bytes);
    try { return Object.values(await s.run({ dtype: 'float32', shape: [1, 3, 16, 16], data: x } as never))[0].data as Float32Array; } finally { await s.release(); }
  };
  const simulated = (r: CreateResult) => {
    const input = tf.tensor(x, [1, 3, 16, 16]);
    const out = r.model.run({ input });
    const y = Object.values(out)[0].dataSync() as Float32Array;
    tf.dispose([input, ...Object.values(out)]);
    return y;
  };
  const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

  beforeAll(async () => { await initBackend('wasm'); }, 60_000);
  afterAll(() => {
    for (const r of created) { r.controller.dispose(); r.model.engine.dispose(); }
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [mode, sub] of [['symmetric', 0], ['asymmetric', 7]] as const)
    it(`${mode} weights: int8/uint8 → Cast → ${sub ? 'Sub → ' : ''}Mul, equal to the simulated model on ORT; ORT folds them at load`, async () => {
      const r = await create({ mode, per_channel: true });
      const before = tf.memory().numTensors;
      const bytes = exportCompressedModelBytes(r);
      const ops = await countOpTypes(bytes);
      expect([ops.get('Cast'), ops.get('Sub') ?? 0, ops.get('Mul'), ops.get('DequantizeLinear') ?? 0, ops.get('QuantizeLinear') ?? 0]).toEqual([7, sub, 7, 0, 0]);
      // 6 convs (BN folded into the per-channel scale) and the fc: one broadcastable scale each
      const g = decodeModelProto(bytes).graph!;
      const stemWeight = g.node!.find((n) => n.output![0] === g.node!.find((c) => c.name === 'stem/Conv')!.input![1])!;
      expect(stemWeight.op_type).toBe('Mul');
      const stemScale = g.initializer!.find((t) => t.name === stemWeight.input![1])!;
      expect(stemScale.dims!.map(Number)).toEqual([8, 1, 1, 1]);
      expect(maxDiff(await ort(bytes), simulated(r))).toBeLessThan(1e-5);
      expect(maxDiff(await ort(bytes), await ort(model.bytes))).toBeGreaterThan(0);
      const opt = join(dir, `${mode}.onnx`);
      await saveOptimizedModel(bytes, opt);
      const optimized = await countOpTypes(opt);
      expect([optimized.get('Cast') ?? 0, optimized.get('Sub') ?? 0, optimized.get('Mul') ?? 0]).toEqual([0, 0, 0]);
      expect(await countLinearKernels(bytes)).toMatchObject({ integer: 0, float: 7 });
      // weights stored in 8 bits: the file is well below the FP32 one (0.26× on MobileNetV3, see docs)
      expect(bytes.length).toBeLessThan(0.5 * model.bytes.length); // 8 channels: scales and names weigh here
      expect(tf.memory().numTensors).toBe(before); // the export and the simulated run leave no tensors behind
    }, 300_000);
});
