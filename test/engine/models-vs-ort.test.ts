import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { mobilenetV2Style, randomInputs, resnetStyle, transformerEncoder, concatNet, type TestModel } from '../helpers/models.js';
import { compare, runEngine, runOrt, type Feed } from './ort-helpers.js';

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
