import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { inferShapes, SHAPE_INFERENCE_OPS } from '../../src/graph/shape-inference/index.js';
import { hasOnnxTestdata, listOnnxTestCases } from '../helpers/onnx-testdata.js';

const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'];

describe.skipIf(!hasOnnxTestdata())('libonnx-testdata', () => {
  it('parses every model and re-exports it byte-identically', async () => {
    let parsed = 0;
    let identical = 0;
    const failures: string[] = [];
    for (const suite of SUITES)
      for (const c of listOnnxTestCases(suite)) {
        try {
          const graph = await loadOnnxModel(c.modelPath);
          parsed++;
          if (Buffer.from(exportOnnx(graph)).equals(readFileSync(c.modelPath))) identical++;
          else failures.push(`${c.name}: export differs`);
        } catch (err) {
          failures.push(`${c.name}: ${(err as Error).message}`);
        }
      }
    console.log(`libonnx-testdata: ${parsed} models parsed, ${identical} re-exported byte-identically`);
    expect(failures).toEqual([]);
    expect(parsed).toBeGreaterThanOrEqual(1000);
  });

  it('reads every tensor .pb of the node suite', () => {
    let tensors = 0;
    for (const c of listOnnxTestCases('node'))
      for (const ds of c.dataSets()) for (const t of [...ds.inputs, ...ds.outputs]) if (t) {
        expect(t.values.length).toBe(t.dims.reduce((a, b) => a * b, 1) * (t.dtype.startsWith('complex') ? 2 : 1));
        tensors++;
      }
    expect(tensors).toBeGreaterThan(2500);
  });

  it('inferred output shapes match the shapes the node tests declare', async () => {
    let compared = 0;
    let exact = 0;
    const mismatches: string[] = [];
    for (const c of listOnnxTestCases('node')) {
      const graph = await loadOnnxModel(c.modelPath, { inferShapes: false });
      if (!graph.nodes.every((n) => SHAPE_INFERENCE_OPS.has(n.opType) && n.domain === '')) continue;
      const declared = new Map(graph.outputs.map((o) => [o.name, o.shape]));
      for (const n of graph.nodes) for (const o of n.outputs) graph.tensors.delete(o);
      for (const o of graph.outputs) o.shape = null;
      inferShapes(graph);
      for (const [name, shape] of declared) {
        if (!shape) continue;
        compared++;
        const got = graph.tensor(name)?.shape;
        // Parameters fed as graph inputs (not constants) leave dims unknown: that is not a contradiction.
        const contradicts = got && (got.length !== shape.length || got.some((d, i) => d !== null && d !== shape[i]));
        if (contradicts) mismatches.push(`${c.name} ${name}: inferred ${JSON.stringify(got)}, declared ${JSON.stringify(shape)}`);
        else if (JSON.stringify(got) === JSON.stringify(shape)) exact++;
      }
    }
    console.log(`shape inference vs declared node-test outputs: ${exact}/${compared} exact, ${mismatches.length} contradictions`);
    expect(mismatches).toEqual([]);
    expect(exact).toBeGreaterThan(450);
  });
});
