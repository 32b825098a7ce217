import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { runOrt, seededFloats, withAllOutputs } from './ort-utils.js';

const DIR = '.cache/data/ocr-models';
const CASES = [
  { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', shape: [1, 3, 48, 192] },
  { file: 'ch_PP-OCRv4_det_infer.onnx', shape: [1, 3, 64, 96] },
];

describe.skipIf(!existsSync(DIR))('PP-OCR models (paddle2onnx, weights in Constant nodes)', () => {
  for (const { file, shape } of CASES) {
    const path = `${DIR}/${file}`;
    it(`${file}: byte-identical re-export, bit-identical ORT outputs`, async () => {
      const graph = await loadOnnxModel(path);
      // paddle2onnx weights arrive as Constant nodes: folded into initializers
      expect(graph.nodes.some((n) => n.opType === 'Constant' && n.outputs.some((o) => graph.initializers.has(o)))).toBe(false);
      expect(graph.initializers.size).toBeGreaterThan(100);
      const exported = exportOnnx(graph);
      expect(Buffer.from(exported).equals(readFileSync(path))).toBe(true);
      const name = graph.inputs[0].name;
      const feeds = { [name]: { dims: shape, data: seededFloats(shape.reduce((a, b) => a * b, 1), 3) } };
      const [a, b] = [await runOrt(path, feeds), await runOrt(exported, feeds)];
      for (const k of Object.keys(a)) expect(b[k].bytes.equals(a[k].bytes)).toBe(true);
    });

    it(`${file}: a changed weight is written back as a Constant node`, async () => {
      const graph = await loadOnnxModel(path);
      const [wName, w] = [...graph.initializers].find(([, t]) => t.dims.length === 4)!;
      (w.values as Float32Array)[0] += 1; // in-place edit must be noticed
      const again = await loadOnnxModel(exportOnnx(graph));
      expect((again.initializers.get(wName)!.values as Float32Array)[0]).toBe((w.values as Float32Array)[0]);
      expect(again.nodes.length).toBe(graph.nodes.length);
    });

    it(`${file}: shape inferred for every edge, equal to ORT's`, async () => {
      const symbolic = await loadOnnxModel(path);
      const edges = symbolic.nodes.flatMap((n) => n.outputs);
      expect(edges.every((o) => symbolic.tensor(o)?.shape !== null)).toBe(true); // ranks always known
      const graph = await loadOnnxModel(path, { inputShapes: { [symbolic.inputs[0].name]: shape } });
      const name = graph.inputs[0].name;
      const results = await runOrt(withAllOutputs(graph), { [name]: { dims: shape, data: seededFloats(shape.reduce((a, b) => a * b, 1), 4) } });
      let compared = 0;
      for (const o of edges) {
        expect(graph.tensor(o)?.shape, o).toEqual(results[o].dims);
        compared++;
      }
      expect(compared).toBe(edges.length);
    });
  }
});
