/**
 * Conv formulations of the training graph side by side: `npx tsx bench/engine/conv-forms.ts MODEL.onnx
 * BATCH C,H,W --forms 0,64,1e9 [--threads N] [--rounds N]` compiles the model once per Gemm-form
 * limit (Conv outputs of at most that many pixels run as Gather-im2col + Gemm; 0 = ORT Conv everywhere) and
 * times one step of each, interleaved round by round: wall time and the process's CPU time (at one
 * thread the CPU time is the work done, much steadier than wall time on a loaded machine). Keeps a formulation honest: same run, same load.
 */
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { convFormulation } from '../../src/autodiff/rules/conv.js';
import { Random } from '../../src/data/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { medianOf, minOf } from './train-vs-torch.js';

const [model, batchArg, chw] = process.argv.slice(2);
const arg = (n: string, d: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const forms = arg('forms', '0,64').split(',');
const threads = Number(arg('threads', '1'));
const rounds = Number(arg('rounds', '8'));
const batch = Number(batchArg);
const shape = [batch, ...chw.split(',').map(Number)];
const rng = new Random(5);
const x = new Float32Array(shape.reduce((a, b) => a * b)).map(() => rng.normal());
const labels = Int32Array.from({ length: batch }, () => rng.int(10));
const graph = await loadOnnxModel(model);
const steps: {
  limit: string;
  step: OrtTrainerStep;
  ms: number[];
  cpu: number[];
  loss: number;
  g0: Float32Array;
}[] = [];
for (const limit of forms) {
  convFormulation.gemmMaxOutPixels = parseFloat(limit);
  convFormulation.stridedCol2im = !limit.endsWith('i'); // 'i': strided dX by im2col of the zero-inserted dy
  steps.push({
    limit,
    step: await OrtTrainerStep.create(compileTrainingGraph(graph), { threads }),
    ms: [],
    cpu: [],
    loss: NaN,
    g0: new Float32Array(),
  });
}
for (let r = -2; r < rounds; r++)
  for (const s of steps) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const out = await s.step.step({ data: x, shape }, labels);
    const c = process.cpuUsage(c0);
    if (r >= 0) {
      s.ms.push(performance.now() - t0);
      s.cpu.push((c.user + c.system) / 1000);
    }
    s.loss = out.loss;
    s.g0 = [...out.gradients.values()][0];
  }
const ref = steps[0];
for (const s of steps) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < s.g0.length; i++) {
    num += (s.g0[i] - ref.g0[i]) ** 2;
    den += ref.g0[i] ** 2;
  }
  console.log(
    `form ${s.limit.padStart(9)}: min ${minOf(s.ms).toFixed(1)} ms, median ${medianOf(s.ms).toFixed(1)} ms, CPU time min ${minOf(s.cpu).toFixed(1)} median ${medianOf(s.cpu).toFixed(1)} ms, loss ${s.loss.toFixed(5)}, first grad rel diff vs first ${Math.sqrt(num / den).toExponential(1)}`,
  );
  await s.step.release();
}
