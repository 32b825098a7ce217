import { describe, expect, it } from 'vitest';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { allTestModels, randomInputs, transformerEncoder } from '../helpers/models.js';
import { runOrt, withAllOutputs } from './ort-utils.js';

const models = [...allTestModels(), { ...transformerEncoder({ decomposedLayerNorm: true, opset: 18 }), name: 'transformer_decomposed_ln' }];

describe('builder models: import → export → onnxruntime-node', () => {
  for (const model of models)
    it(`${model.name}: bytes and outputs identical`, async () => {
      const graph = parseOnnx(model.bytes);
      const exported = exportOnnx(graph);
      expect(Buffer.from(exported).equals(Buffer.from(model.bytes))).toBe(true);
      const feeds = randomInputs(model, 11, 2);
      const [a, b] = [await runOrt(model.bytes, feeds), await runOrt(exported, feeds)];
      for (const name of model.outputs) expect(b[name].bytes.equals(a[name].bytes)).toBe(true);
    });

  for (const model of models)
    it(`${model.name}: inferred shapes equal ORT's for every edge`, async () => {
      const graph = parseOnnx(model.bytes, { inputShapes: { input: model.inputs[0].shape!.map((d) => (typeof d === 'number' ? d : 3)) } });
      const results = await runOrt(withAllOutputs(graph), randomInputs(model, 5, 3));
      let edges = 0;
      for (const node of graph.nodes)
        for (const o of node.outputs) {
          expect(graph.tensor(o)?.shape, `${node.name} → ${o}`).toEqual(results[o].dims);
          edges++;
        }
      expect(edges).toBe(graph.nodes.reduce((n, x) => n + x.outputs.length, 0));
      // with the symbolic batch kept, only the batch dim is symbolic
      const symbolic = parseOnnx(model.bytes);
      for (const node of symbolic.nodes) for (const o of node.outputs) expect(symbolic.tensor(o)?.shape?.every((d) => d !== null), o).toBe(true);
    });

  it('an edited weight and an inserted node are encoded from the Graph', async () => {
    const model = models[0];
    const graph = parseOnnx(model.bytes);
    const fc = graph.initializers.get('fc.bias')!;
    fc.values = new Float32Array(fc.values.length).fill(1); // replaced values
    const gemm = graph.nodes.find((n) => n.opType === 'Gemm')!;
    graph.nodes.push({ name: 'extra/Neg', opType: 'Neg', domain: '', inputs: [gemm.outputs[0]], outputs: ['neg_logits'], attributes: {}, scope: 'extra/Neg' });
    graph.outputs = [{ name: 'neg_logits', dtype: 'float32', shape: null }];
    graph.reindex();
    const feeds = randomInputs(model, 3, 1);
    const before = (await runOrt(model.bytes, feeds)).logits.data as Float32Array;
    const oldBias = parseOnnx(model.bytes).initializers.get('fc.bias')!.values as Float32Array;
    const after = (await runOrt(exportOnnx(graph), feeds)).neg_logits.data as Float32Array;
    for (let i = 0; i < after.length; i++) expect(after[i]).toBeCloseTo(-(before[i] - oldBias[i] + 1), 5);
    // the unchanged nodes kept their names and attributes
    const again = parseOnnx(exportOnnx(graph));
    expect(again.nodes.length).toBe(graph.nodes.length);
    expect(again.node('stem/Conv')?.attributes).toEqual(graph.node('stem/Conv')?.attributes);
  });
});
