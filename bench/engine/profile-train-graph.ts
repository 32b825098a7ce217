/**
 * ORT profile of one compiled training graph: `npx tsx bench/engine/profile-train-graph.ts MODEL.onnx
 * BATCH C,H,W [--gemm-max PIXELS] [--threads N] [--steps N] [--top N]` prints the time per op type and the slowest nodes
 * (mean over the profiled steps after one warm-up), from ORT's own profiler (enableProfiling).
 */
import * as ort from 'onnxruntime-node';
import { compileTrainingGraph } from '../../src/autodiff/index.js';
import { convFormulation } from '../../src/autodiff/rules/conv.js';
import { Random } from '../../src/data/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { kernelEvents, profilingSession } from './ort-profile.js';

const [model, batchArg, chw] = process.argv.slice(2);
const arg = (n: string, d: number) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const threads = arg('threads', 1);
const steps = arg('steps', 3);
const top = arg('top', 25);
const batch = Number(batchArg);
const shape = [batch, ...chw.split(',').map(Number)];
convFormulation.gemmMaxOutPixels = arg('gemm-max', convFormulation.gemmMaxOutPixels);
const compiled = compileTrainingGraph(await loadOnnxModel(model));
const prefix = `/tmp/ortspeed-prof-${process.pid}`;
const session = await profilingSession(exportOnnx(compiled.graph), threads, prefix);
const rng = new Random(3);
const feeds: Record<string, ort.Tensor> = {
  [compiled.dataInputs[0].name]: new ort.Tensor(
    'float32',
    new Float32Array(shape.reduce((a, b) => a * b)).map(() => rng.normal()),
    shape,
  ),
  [compiled.labels]: new ort.Tensor(
    'int64',
    BigInt64Array.from({ length: batch }, () => BigInt(rng.int(10))),
    [batch],
  ),
};
for (const p of compiled.parameters) feeds[p.name] = new ort.Tensor('float32', p.initial, p.dims);
for (const s of compiled.state) feeds[s.name] = new ort.Tensor('float32', s.initial, s.dims);
const wall: number[] = [];
for (let i = 0; i <= steps; i++) {
  const t0 = performance.now();
  await session.run(feeds);
  if (i > 0) wall.push(performance.now() - t0);
}
const events = await kernelEvents(session, prefix);
const runs = steps + 1;
const byOp = new Map<string, number>();
const byNode = new Map<string, { op: string; us: number }>();
for (const e of events) {
  const op = e.args?.op_name ?? '?';
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur / runs);
  const n = e.name.replace(/_kernel_time$/, '');
  byNode.set(n, { op, us: (byNode.get(n)?.us ?? 0) + e.dur / runs });
}
const total = [...byOp.values()].reduce((a, b) => a + b, 0);
console.log(
  `${model}: batch ${batch}, ${threads} thread(s), wall ${wall.map((w) => w.toFixed(0)).join(' ')} ms; kernels ${(total / 1000).toFixed(1)} ms/step (mean incl. warm-up)`,
);
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]))
  console.log(`  ${op.padEnd(26)} ${(us / 1000).toFixed(2).padStart(8)} ms`);
console.log('slowest nodes:');
for (const [n, v] of [...byNode].sort((a, b) => b[1].us - a[1].us).slice(0, top))
  console.log(`  ${(v.us / 1000).toFixed(2).padStart(8)} ms  ${v.op.padEnd(20)} ${n}`);
