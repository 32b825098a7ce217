import { readFileSync } from 'node:fs';
import { CompressedModel } from '../../src/compression/index.js';
import { Dataset, readNpy, ndarray } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/parse.js';
import { hessianTracesOnEngine } from '../../src/initialization/index.js';
await initBackend('wasm');
const dir = new URL('.', import.meta.url).pathname;
const g = await loadOnnxModel(dir + 'model.onnx');
console.log('BN nodes', g.nodes.filter(n => n.opType === 'BatchNormalization').length, 'weights', [...g.initializers.keys()].filter(k => k.endsWith('weight')).join(','));
const x = await readNpy(dir + 'x.npy');
const yRaw = await readNpy(dir + 'labels.npy');
const y = ndarray('int32', [16], Int32Array.from(Array.from(yRaw.data as ArrayLike<bigint | number>, Number)));
const model = new CompressedModel(g, new Engine(g));
const torch = JSON.parse(readFileSync(dir + 'torch_traces.json', 'utf8'));
const names = ['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc.weight'];
const iters = Number(process.argv[2] ?? 300);
for (const mode of ['train', 'eval'] as const) {
  const t0 = Date.now();
  const r = await hessianTracesOnEngine(model, { dataset: new Dataset(x as any, y), batchSize: 8 }, names, { numDataPoints: 16, iterNumber: iters, tolerance: 0, seed: 0, mode });
  const got = names.map(n => r.traces.get(n)!);
  console.log(mode, 'nncf-ts', got.map(v => v.toFixed(5)).join(' '), ' torch', torch[mode].mean.map((v: number, i: number) => `${v.toFixed(5)}±${torch[mode].se[i].toFixed(5)}`).join(' '), `${Date.now() - t0} ms`);
}
