/**
 * `npm run bench:ort-train`: one SGD training step of the Fashion-MNIST reference CNN (batch 64) as the
 * compiled ONNX training graph on onnxruntime-node vs the tfjs engine (wasm), interleaved step by step
 * in one run so both see the same machine load. Both steps include the SGD update of the parameters.
 * Options: --steps N (default 20), --warmup N (default 3), --batch N (default 64), --threads N (ORT
 * intra-op threads, default 1; the wasm engine runs one thread), --model fashion|resnet (resnet: the
 * ResNet-style test helper at 32×32×3, width 16).
 */
import * as tf from '@tensorflow/tfjs-core';
import { compileTrainingGraph, OrtTrainerStep } from '../src/autodiff/index.js';
import { Random } from '../src/data/index.js';
import { Engine, initBackend } from '../src/engine/index.js';
import { loadOnnxModel } from '../src/frontends/onnx/index.js';
import type { Graph } from '../src/graph/graph.js';
import { softmaxCrossEntropy } from '../src/training/index.js';
import { resnetStyle } from '../test/helpers/models.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg('steps', '20'));
const warmup = Number(arg('warmup', '3'));
const batch = Number(arg('batch', '64'));
const threads = Number(arg('threads', '1'));
const model = arg('model', 'fashion');
const LR = 0.01;
const loadModel = async (): Promise<Graph> =>
  model === 'resnet'
    ? resnetStyle({ size: 32, width: 16 }).graph
    : loadOnnxModel('examples/fashion-mnist/model.onnx');

const backend = await initBackend('wasm');
const rng = new Random(1);
const shape = model === 'resnet' ? [batch, 3, 32, 32] : [batch, 1, 28, 28];
const x = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.normal());
const labels = Int32Array.from({ length: batch }, () => rng.int(10));

const compiled = compileTrainingGraph(await loadModel());
const ort = await OrtTrainerStep.create(compiled, { threads });
async function ortStep(): Promise<number> {
  const r = await ort.step({ data: x, shape }, labels);
  for (const [name, g] of r.gradients) {
    const p = ort.parameters.get(name)!;
    for (let i = 0; i < p.length; i++) p[i] -= LR * g[i];
  }
  return r.loss;
}

const engine = new Engine(await loadModel());
const opt = tf.train.sgd(LR);
const xt = tf.tensor(x, shape);
const yt = tf.tensor1d(labels, 'int32');
function engineStep(): number {
  const loss = opt.minimize(
    () => softmaxCrossEntropy(engine.run({ input: xt }, { training: true }).logits, yt),
    true,
    engine.trainableVariables(),
  )!;
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}

const times = { ort: [] as number[], engine: [] as number[] };
let lastLoss = { ort: NaN, engine: NaN };
for (let i = 0; i < warmup + steps; i++) {
  let t0 = performance.now();
  const lo = await ortStep();
  const tOrt = performance.now() - t0;
  t0 = performance.now();
  const le = engineStep();
  const tEngine = performance.now() - t0;
  lastLoss = { ort: lo, engine: le };
  if (i >= warmup) {
    times.ort.push(tOrt);
    times.engine.push(tEngine);
  }
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { min: s[0], median: s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 };
};
const o = stats(times.ort);
const e = stats(times.engine);
console.log(
  `${model === 'resnet' ? 'ResNet-style 32×32' : 'Fashion-MNIST CNN'} training step (SGD), batch ${batch}, ${steps} interleaved steps after ${warmup} warm-up`,
);
console.log(
  `${'path'.padEnd(34)} ${'min ms'.padStart(8)} ${'median ms'.padStart(10)} ${'img/s'.padStart(7)}`,
);
const row = (name: string, t: { min: number; median: number }) =>
  console.log(
    `${name.padEnd(34)} ${t.min.toFixed(1).padStart(8)} ${t.median.toFixed(1).padStart(10)} ${((1000 * batch) / t.median).toFixed(0).padStart(7)}`,
  );
row(`ORT training graph (${threads} thread${threads > 1 ? 's' : ''})`, o);
row(`tfjs engine (${backend})`, e);
console.log(
  `speed-up ORT vs engine: ${(e.median / o.median).toFixed(2)}× (median), ${(e.min / o.min).toFixed(2)}× (min)`,
);
console.log(
  `final losses (same batch, same SGD): ORT ${lastLoss.ort.toFixed(5)}, engine ${lastLoss.engine.toFixed(5)}`,
);
await ort.release();
engine.dispose();
opt.dispose();
tf.dispose([xt, yt]);
