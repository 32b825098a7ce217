/**
 * QAT step vs FP32 step of the Fashion CNN (batch 64) on ORT, the graphs bench:engine's train part
 * times, interleaved step by step in one process: `npx tsx bench/engine/qat-overhead.ts [--rounds N]
 * [--threads N] [--opt disabled|basic|extended|all]`. Prints median wall and process-CPU ms per step and
 * the QAT/FP32 ratios (CPU time: steadier than wall time on a shared machine), with the load average.
 */
import { loadavg } from 'node:os';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { Random } from '../../src/data/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { int8TrainingGraph, medianOf } from './train-vs-torch.js';

const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const rounds = Number(arg('rounds', '20'));
const threads = Number(arg('threads', '1'));
const opt = arg('opt', '') as 'all' | '';
const MODEL = 'examples/fashion-mnist/model.onnx';
const shape = [64, 1, 28, 28];
const rng = new Random(7);
const x = new Float32Array(64 * 784).map(() => rng.normal());
const labels = Int32Array.from({ length: 64 }, () => rng.int(10));
const load0 = loadavg()[0];

const fp32 = await OrtTrainerStep.create(compileTrainingGraph(await loadOnnxModel(MODEL)), { threads, ...(opt ? { graphOptimizationLevel: opt } : {}) });
const q = await int8TrainingGraph(await loadOnnxModel(MODEL), [1, 28, 28]);
const qat = await OrtTrainerStep.create(q.compiled, { threads, ...(opt ? { graphOptimizationLevel: opt } : {}) });
q.prepare(qat);
const steps = { fp32, qat };
const got = { fp32: { ms: [] as number[], cpu: [] as number[] }, qat: { ms: [] as number[], cpu: [] as number[] } };
for (let r = -3; r < rounds; r++)
  for (const k of ['fp32', 'qat'] as const) {
    const s = steps[k];
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const out = await s.step({ data: x, shape }, labels);
    for (const [name, g] of out.gradients) {
      const p = s.parameters.get(name)!;
      for (let i = 0; i < p.length; i++) p[i] -= 0.01 * g[i];
    }
    const c = process.cpuUsage(c0);
    if (r >= 0) {
      got[k].ms.push(performance.now() - t0);
      got[k].cpu.push((c.user + c.system) / 1000);
    }
  }
// per-round paired CPU ratio: both steps of a round see the same load
const paired = got.qat.cpu.map((v, i) => v / got.fp32.cpu[i]);
console.log(
  `threads ${threads}, opt ${opt || 'default'}, ${rounds} rounds, QAT graph ${q.compiled.graph.nodes.length} nodes, load ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
);
for (const k of ['fp32', 'qat'] as const)
  console.log(`  ${k.padEnd(5)} wall median ${medianOf(got[k].ms).toFixed(1)} min ${Math.min(...got[k].ms).toFixed(1)} ms; CPU median ${medianOf(got[k].cpu).toFixed(1)} min ${Math.min(...got[k].cpu).toFixed(1)} ms`);
console.log(
  `  QAT/FP32: wall median ${(medianOf(got.qat.ms) / medianOf(got.fp32.ms)).toFixed(3)}, CPU median ${(medianOf(got.qat.cpu) / medianOf(got.fp32.cpu)).toFixed(3)}, CPU min ${(Math.min(...got.qat.cpu) / Math.min(...got.fp32.cpu)).toFixed(3)}, paired CPU median ${medianOf(paired).toFixed(3)}`,
);
await fp32.release();
await qat.release();
