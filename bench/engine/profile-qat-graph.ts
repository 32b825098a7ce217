/**
 * ORT profile of the Fashion CNN's FP32 and INT8 QAT training graphs (batch 64, the graphs
 * bench:engine's train part times): `npx tsx bench/engine/profile-qat-graph.ts [--threads N] [--steps N]
 * [--opt disabled|basic|extended|all]` prints kernel time per op type for both graphs, and the QAT graph's
 * extra time split by quantizer kind (activation / weight) and by forward / backward.
 */
import * as ort from 'onnxruntime-node';
import { compileTrainingGraph, type TrainingGraph } from '../../src/autodiff/index.js';
import { Random } from '../../src/data/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { kernelEvents, profilingSession, type KernelEvent } from './ort-profile.js';
import { int8TrainingGraph } from './train-vs-torch.js';

const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const threads = Number(arg('threads', '1'));
const steps = Number(arg('steps', '5'));
const opt = arg('opt', '') as ort.InferenceSession.SessionOptions['graphOptimizationLevel'] | '';
const MODEL = 'examples/fashion-mnist/model.onnx';
const shape = [64, 1, 28, 28];

type Ev = KernelEvent;

async function open(compiled: TrainingGraph, fed: Map<string, Float32Array>, tag: string) {
  const prefix = `/tmp/qatprof-${tag}-${process.pid}`;
  const session = await profilingSession(exportOnnx(compiled.graph), threads, prefix, opt ? { graphOptimizationLevel: opt } : {});
  const rng = new Random(3);
  const feeds: Record<string, ort.Tensor> = {
    [compiled.dataInputs[0].name]: new ort.Tensor('float32', new Float32Array(64 * 784).map(() => rng.normal()), shape),
    [compiled.labels]: new ort.Tensor('int64', BigInt64Array.from({ length: 64 }, () => BigInt(rng.int(10))), [64]),
  };
  for (const p of compiled.parameters) feeds[p.name] = new ort.Tensor('float32', p.initial, p.dims);
  for (const s of compiled.state) feeds[s.name] = new ort.Tensor('float32', s.initial, s.dims);
  for (const f of compiled.fed) feeds[f.name] = new ort.Tensor('float32', fed.get(f.name) ?? f.initial, f.dims);
  const wall: number[] = [];
  return {
    wall,
    nodes: compiled.graph.nodes.length,
    run: async () => {
      const t0 = performance.now();
      await session.run(feeds);
      wall.push(performance.now() - t0);
    },
    finish: async () => {
      const events = await kernelEvents(session, prefix);
      const perRun = events.length / (steps + 1);
      return events.slice(perRun); // drop the warm-up run
    },
  };
}

async function profileBoth(fp32: TrainingGraph, qat: TrainingGraph, fed: Map<string, Float32Array>) {
  const sa = await open(fp32, fed, 'fp32');
  const sb = await open(qat, fed, 'qat');
  for (let i = 0; i <= steps; i++) {
    await sa.run();
    await sb.run();
  }
  const ka = await sa.finish();
  const kb = await sb.finish();
  const runs = (w: number[]) => w.slice(1);
  return [
    { kept: ka, runs: runs(sa.wall), nodes: sa.nodes },
    { kept: kb, runs: runs(sb.wall), nodes: sb.nodes },
  ];
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

const fp32 = compileTrainingGraph(await loadOnnxModel(MODEL));
const q = await int8TrainingGraph(await loadOnnxModel(MODEL), [1, 28, 28]);
const fed = new Map(q.compiled.fed.map((f) => [f.name, f.initial]));
const [a, b] = await profileBoth(fp32, q.compiled, fed);
const byOp = (ev: Ev[]) => {
  const m = new Map<string, number>();
  for (const e of ev) m.set(e.args?.op_name ?? '?', (m.get(e.args?.op_name ?? '?') ?? 0) + e.dur / steps);
  return m;
};
const opA = byOp(a.kept);
const opB = byOp(b.kept);
const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
console.log(`threads ${threads}, opt ${opt || 'default'}, ${steps} profiled steps`);
console.log(`FP32: ${a.nodes} nodes, run median ${median(a.runs).toFixed(1)} ms, kernels ${(sum(opA) / 1000).toFixed(1)} ms`);
console.log(`QAT : ${b.nodes} nodes, run median ${median(b.runs).toFixed(1)} ms, kernels ${(sum(opB) / 1000).toFixed(1)} ms`);
console.log('op type                       FP32 ms   QAT ms    Δ ms  QAT count/step');
const ops = new Set([...opA.keys(), ...opB.keys()]);
const countB = new Map<string, number>();
for (const e of b.kept) countB.set(e.args?.op_name ?? '?', (countB.get(e.args?.op_name ?? '?') ?? 0) + 1 / steps);
for (const op of [...ops].sort((x, y) => (opB.get(y) ?? 0) - (opA.get(y) ?? 0) - ((opB.get(x) ?? 0) - (opA.get(x) ?? 0))))
  console.log(
    `  ${op.padEnd(26)} ${((opA.get(op) ?? 0) / 1000).toFixed(2).padStart(8)} ${((opB.get(op) ?? 0) / 1000).toFixed(2).padStart(8)} ${(((opB.get(op) ?? 0) - (opA.get(op) ?? 0)) / 1000).toFixed(2).padStart(7)} ${(countB.get(op) ?? 0).toFixed(0).padStart(6)}`,
  );
// QAT nodes by quantizer: emitted names start with the FakeQuantize node's name
const fqNodes = q.spliced.nodes.filter((n) => n.opType === 'FakeQuantize');
const isWeight = new Map(fqNodes.map((n) => [n.name, q.spliced.graph.initializers.has(n.inputs[0]) || q.compiled.parameters.some((p) => p.name === n.inputs[0])]));
const kindOf = (nodeName: string) => {
  for (const n of fqNodes) if (nodeName.startsWith(n.name + '/')) return isWeight.get(n.name) ? 'weight' : 'activation';
  return 'model';
};
const bwdStart = q.compiled.graph.nodes.findIndex((n) => n.name.startsWith('loss/'));
const index = new Map(q.compiled.graph.nodes.map((n, i) => [n.name, i]));
const split = new Map<string, { us: number; count: number; big: number }>();
for (const e of b.kept) {
  const name = e.name.replace(/_kernel_time$/, '');
  const i = index.get(name);
  const dir = i === undefined ? '?' : i < bwdStart ? 'fwd' : 'bwd';
  const key = `${kindOf(name)} ${dir}`;
  const s = split.get(key) ?? { us: 0, count: 0, big: 0 };
  s.us += e.dur / steps;
  s.count += 1 / steps;
  split.set(key, s);
}
{
  const start = fp32.graph.nodes.findIndex((n) => n.name.startsWith('loss/'));
  const idx = new Map(fp32.graph.nodes.map((n, i) => [n.name, i]));
  const part = { fwd: 0, bwd: 0, '?': 0 } as Record<string, number>;
  for (const e of a.kept) {
    const i = idx.get(e.name.replace(/_kernel_time$/, ''));
    part[i === undefined ? '?' : i < start ? 'fwd' : 'bwd'] += e.dur / steps;
  }
  console.log(`FP32 graph: fwd ${(part.fwd / 1000).toFixed(2)} ms, bwd ${(part.bwd / 1000).toFixed(2)} ms, other ${(part['?'] / 1000).toFixed(2)} ms`);
}
console.log(`QAT graph by part (loss at node ${bwdStart}):`);
for (const [k, s] of [...split].sort())
  console.log(`  ${k.padEnd(18)} ${(s.us / 1000).toFixed(2).padStart(8)} ms  ${s.count.toFixed(0).padStart(5)} kernels`);
const byNode = new Map<string, { op: string; us: number }>();
for (const e of b.kept) {
  const n = e.name.replace(/_kernel_time$/, '');
  byNode.set(n, { op: e.args?.op_name ?? '?', us: (byNode.get(n)?.us ?? 0) + e.dur / steps });
}
console.log('slowest quantizer nodes:');
for (const [n, v] of [...byNode].filter(([n]) => kindOf(n) !== 'model').sort((x, y) => y[1].us - x[1].us).slice(0, Number(arg('top', '30'))))
  console.log(`  ${(v.us / 1000).toFixed(3).padStart(8)} ms  ${v.op.padEnd(16)} ${n}`);
