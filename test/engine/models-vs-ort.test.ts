import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { mobilenetV2Style, randomInputs, resnetStyle, transformerEncoder, concatNet, type TestModel } from '../helpers/models.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { compare, randomFeed, runEngine, runOrt, type Feed } from './ort-helpers.js';

const results: string[] = [];

async function check(model: TestModel, batch = 2): Promise<number> {
  const engine = new Engine(model.graph);
  const feeds = randomInputs(model, 11, batch) as Record<string, Feed>;
  const ours = runEngine(engine, feeds);
  const ref = await runOrt(model.bytes, feeds);
  engine.dispose();
  let worst = 0;
  for (const name of model.outputs) {
    expect(ours[name].dims).toEqual(ref[name].dims);
    worst = Math.max(worst, compare(ours[name].data, ref[name].data).maxAbs);
  }
  results.push(`${model.name}: max abs diff vs ORT ${worst.toExponential(2)}`);
  return worst;
}

describe('whole models: engine (wasm) vs onnxruntime-node', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(() => console.log(results.join('\n')));

  it('ResNet-style', async () => expect(await check(resnetStyle())).toBeLessThan(1e-4));
  it('MobileNetV2-style', async () => expect(await check(mobilenetV2Style())).toBeLessThan(1e-4));
  it('transformer encoder', async () => expect(await check(transformerEncoder())).toBeLessThan(1e-4));
  it('transformer encoder with decomposed LayerNorm', async () => expect(await check(transformerEncoder({ decomposedLayerNorm: true, opset: 13 }))).toBeLessThan(1e-4));
  it('Concat net', async () => expect(await check(concatNet())).toBeLessThan(1e-4));
});

describe('real model: PP-OCR direction classifier', () => {
  const path = '.cache/data/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx';
  it.skipIf(!existsSync(path))('engine vs onnxruntime-node < 1e-4', async () => {
    await initBackend('wasm');
    const bytes = new Uint8Array(readFileSync(path));
    const graph = parseOnnx(bytes);
    const engine = new Engine(graph);
    const feeds: Record<string, Feed> = { [graph.inputs[0].name]: randomFeed([2, 3, 48, 192], 5) };
    const ours = runEngine(engine, feeds);
    const ref = await runOrt(bytes, feeds);
    engine.dispose();
    const out = graph.outputs[0].name;
    const { maxAbs } = compare(ours[out].data, ref[out].data);
    console.log(`ppocr cls: max abs diff vs ORT ${maxAbs.toExponential(2)}, ${graph.nodes.length} nodes`);
    expect(ours[out].dims).toEqual(ref[out].dims);
    expect(maxAbs).toBeLessThan(1e-4);
  });
});

describe('real models: PP-OCRv4 detector and recognizer (paddle2onnx exports)', () => {
  for (const [file, shape] of [
    ['ch_PP-OCRv4_det_infer.onnx', [1, 3, 96, 128]],
    ['ch_PP-OCRv4_rec_infer.onnx', [1, 3, 48, 160]],
  ] as const) {
    const path = `.cache/data/ocr-models/${file}`;
    it.skipIf(!existsSync(path))(`${file}: engine vs onnxruntime-node < 1e-4`, async () => {
      await initBackend('wasm');
      const bytes = new Uint8Array(readFileSync(path));
      const graph = parseOnnx(bytes);
      const engine = new Engine(graph);
      const feeds: Record<string, Feed> = { [graph.inputs[0].name]: randomFeed([...shape], 3) };
      const ours = runEngine(engine, feeds);
      const ref = await runOrt(bytes, feeds);
      engine.dispose();
      const out = graph.outputs[0].name;
      const { maxAbs } = compare(ours[out].data, ref[out].data);
      console.log(`${file}: max abs diff vs ORT ${maxAbs.toExponential(2)}, ${graph.nodes.length} nodes`);
      expect(ours[out].dims).toEqual(ref[out].dims);
      expect(maxAbs).toBeLessThan(1e-4);
    });
  }
});
