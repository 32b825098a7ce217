import * as ort from 'onnxruntime-node';
import { compileTrainingGraph, type TrainingGraph } from '../../src/autodiff/index.js';
import { Random } from '../../src/data/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
const shape = [64, 1, 28, 28];
async function open(c: TrainingGraph, threads: number) {
  const s = await ort.InferenceSession.create(exportOnnx(c.graph), { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1 });
  const rng = new Random(3);
  const feeds: Record<string, ort.Tensor> = {
    [c.dataInputs[0].name]: new ort.Tensor('float32', new Float32Array(64 * 784).map(() => rng.normal()), shape),
    [c.labels]: new ort.Tensor('int64', BigInt64Array.from({ length: 64 }, () => BigInt(rng.int(10))), [64]),
  };
  for (const p of c.parameters) feeds[p.name] = new ort.Tensor('float32', p.initial, p.dims);
  for (const p of c.state) feeds[p.name] = new ort.Tensor('float32', p.initial, p.dims);
  return async () => { await s.run(feeds); };
}
const fp = compileTrainingGraph(await loadOnnxModel('examples/fashion-mnist/model.onnx'));
const run2 = await open(fp, Number(process.env.T ?? 2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
for (let k = 0; k < 4; k++) {
  await run2();
  const slices: string[] = [];
  for (let i = 0; i < 10; i++) { const c0 = process.cpuUsage(); await sleep(10); const c = process.cpuUsage(c0); slices.push(((c.user + c.system) / 1000).toFixed(1)); }
  console.log('CPU ms per 10 ms slice after a 2-thread run:', slices.join(' '));
}
