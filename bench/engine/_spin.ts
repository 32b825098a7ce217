import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { compileTrainingGraph, type TrainingGraph } from '../../src/autodiff/index.js';
import { Random } from '../../src/data/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { int8TrainingGraph, medianOf } from './train-vs-torch.js';
const MODEL = 'examples/fashion-mnist/model.onnx';
const shape = [64, 1, 28, 28];
const spin = process.env.SPIN ?? '1';
async function open(c: TrainingGraph, threads: number) {
  const s = await ort.InferenceSession.create(exportOnnx(c.graph), {
    executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: threads > 1 ? spin : '1' } } },
  });
  const rng = new Random(3);
  const feeds: Record<string, ort.Tensor> = {
    [c.dataInputs[0].name]: new ort.Tensor('float32', new Float32Array(64 * 784).map(() => rng.normal()), shape),
    [c.labels]: new ort.Tensor('int64', BigInt64Array.from({ length: 64 }, () => BigInt(rng.int(10))), [64]),
  };
  for (const p of c.parameters) feeds[p.name] = new ort.Tensor('float32', p.initial, p.dims);
  for (const p of c.state) feeds[p.name] = new ort.Tensor('float32', p.initial, p.dims);
  for (const p of c.fed) feeds[p.name] = new ort.Tensor('float32', p.initial, p.dims);
  return async () => { await s.run(feeds); };
}
const fp = compileTrainingGraph(await loadOnnxModel(MODEL));
const q = (await int8TrainingGraph(await loadOnnxModel(MODEL), [1, 28, 28])).compiled;
const runs: [string, () => Promise<void>][] = [
  ['fp32 1t', await open(fp, 1)], ['fp32 2t', await open(fp, 2)], ['qat 1t', await open(q, 1)], ['qat 2t', await open(q, 2)],
];
const got = new Map(runs.map(([k]) => [k, { ms: [] as number[], cpu: [] as number[] }]));
const l0 = loadavg()[0];
for (let r = -3; r < Number(process.env.ROUNDS ?? 15); r++)
  for (const [k, run] of runs) {
    const t0 = performance.now(); const c0 = process.cpuUsage();
    await run();
    const c = process.cpuUsage(c0);
    if (r >= 0) { got.get(k)!.ms.push(performance.now() - t0); got.get(k)!.cpu.push((c.user + c.system) / 1000); }
  }
console.log(`spin(2t) ${spin}, load ${l0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
for (const [k, v] of got) console.log(`  ${k} wall median ${medianOf(v.ms).toFixed(1)} CPU median ${medianOf(v.cpu).toFixed(1)}`);
console.log(`  QAT/FP32 1t wall ${(medianOf(got.get('qat 1t')!.ms) / medianOf(got.get('fp32 1t')!.ms)).toFixed(3)}`);
