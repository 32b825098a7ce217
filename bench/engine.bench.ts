/**
 * npm run bench:engine — ResNet-8 (engine-notes.md) images/s side by side in one run:
 * forward and SGD training step through our Graph engine on wasm (our kernels) and on cpu, the
 * same net written directly with tfjs ops on wasm, and onnxruntime-node forward. Min and median
 * over repeats. Options: --batch N (default 64) --repeats N (default 5) --no-cpu --no-kernels.
 *
 * Part "train" (bench/engine/train-vs-torch.ts): one SGD training step of the Fashion-MNIST CNN (batch 64)
 * and torchvision's ResNet-18 at 64×64 (batch 32) on our ORT training graph (1 and 2 threads), our tfjs
 * engine and PyTorch (1 and 2 threads), interleaved in one run; ratios to PyTorch at 2 threads.
 * Options: --part resnet8|train|all (default all) --rounds N (default 15) --warmup N (default 3)
 * --models fashion,resnet18 --no-int8 (leave out the INT8 QAT columns) --settle-ms N (idle before each
 * timed step, default 150: other sessions' spin-waiting threads park) --write-docs (the part's section
 * of docs/benchmarks.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { Engine, initBackend } from '../src/engine/index.js';
import { kernelSpeedups } from './engine/kernel-speedups.js';
import { buildResNet8, forward as directForward, trainStep as directTrainStep } from './engine/resnet8.js';
import { resnet8Onnx } from './engine/resnet8-graph.js';
import { imagesPerSecond, time, type Timing } from './engine/timing.js';
import { markdownSection, printTables, writeDocsSection, type ModelResult } from './engine/train-report.js';
import { benchTrainModel, TRAIN_MODELS } from './engine/train-vs-torch.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const str = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const PART = str('part', 'all');
if (!['resnet8', 'train', 'all'].includes(PART))
  throw new Error(`--part ${PART}: expected resnet8, train or all`);
const BATCH = opt('batch', 64);
const REPEATS = opt('repeats', 5);
const CPU_TRAIN_BATCH = 2; // the cpu backend trains at <1 img/s: keep it short

// The wasm package's own Conv2DBackpropInput, before initBackend replaces it with ours.
const builtinInput = tf.getKernel('Conv2DBackpropInput', 'wasm') ?? null;

type Row = { what: string; backend: string; batch: number; t: Timing };
const rows: Row[] = [];

function data(batch: number, nhwc: boolean) {
  const x = tf.randomUniform(nhwc ? [batch, 32, 32, 3] : [batch, 3, 32, 32], -1, 1, 'float32', 5);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    ),
    10,
  ) as tf.Tensor2D;
  return { x, labels };
}

async function benchEngine(
  engine: Engine,
  backend: 'wasm' | 'cpu',
  fwdBatch: number,
  trainBatch: number,
  repeats: number,
) {
  await initBackend(backend);
  const sgd = tf.train.sgd(0.01);
  const fwd = data(fwdBatch, false);
  const runForward = () => tf.tidy(() => engine.run({ input: fwd.x }).logits.dataSync());
  rows.push({
    what: 'engine forward',
    backend,
    batch: fwdBatch,
    t: await time(runForward, { warmup: 1, repeats }),
  });
  const tr = data(trainBatch, false);
  const step = () => {
    const loss = sgd.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(
          tr.labels,
          engine.run({ input: tr.x }, { training: true }).logits,
        ) as tf.Scalar,
      true,
      engine.trainableVariables(),
    );
    loss?.dataSync();
    loss?.dispose();
  };
  rows.push({
    what: 'engine train step',
    backend,
    batch: trainBatch,
    t: await time(step, { warmup: backend === 'cpu' ? 0 : 2, repeats }),
  });
  tf.dispose([fwd.x, fwd.labels, tr.x, tr.labels]);
  sgd.dispose();
}

async function main() {
  await initBackend('wasm');
  const log = (s = '') => process.stdout.write(`${s}\n`);
  log(
    `ResNet-8 (CIFAR 32x32x3, ≈12.5 M MAC/image), batch ${BATCH}, ${REPEATS} repeats, one thread; load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`,
  );

  if (!args.includes('--no-kernels')) {
    log('\nwasm conv-gradient kernels (min ms over repeats):');
    for (const l of await kernelSpeedups(builtinInput)) log(`  ${l}`);
  }

  const { graph, bytes } = resnet8Onnx();
  const engine = new Engine(graph);
  // onnxruntime-node on the same ONNX bytes; first check that it agrees with the (untrained) engine.
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const probe = data(BATCH, false);
  const feed = { input: new ort.Tensor('float32', probe.x.dataSync() as Float32Array, [BATCH, 3, 32, 32]) };
  const ortOut = (await session.run(feed)).logits.data as Float32Array;
  const engOut = tf.tidy(() => engine.run({ input: probe.x }).logits.dataSync());
  let maxDiff = 0;
  for (let i = 0; i < ortOut.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ortOut[i] - engOut[i]));
  tf.dispose([probe.x, probe.labels]);

  await benchEngine(engine, 'wasm', BATCH, BATCH, REPEATS);

  // The same network written directly with tfjs ops (NHWC, closed-form BatchNorm): engine overhead.
  const net = buildResNet8();
  const sgd = tf.train.sgd(0.01);
  const d = data(BATCH, true);
  rows.push({
    what: 'tfjs ops forward',
    backend: 'wasm',
    batch: BATCH,
    t: await time(() => tf.tidy(() => directForward(net, d.x as tf.Tensor4D, false).dataSync()), {
      warmup: 1,
      repeats: REPEATS,
    }),
  });
  rows.push({
    what: 'tfjs ops train step',
    backend: 'wasm',
    batch: BATCH,
    t: await time(() => directTrainStep(net, sgd, d.x as tf.Tensor4D, d.labels), {
      warmup: 2,
      repeats: REPEATS,
    }),
  });
  tf.dispose([d.x, d.labels]);

  rows.push({
    what: 'onnxruntime forward',
    backend: 'ort 1 thread',
    batch: BATCH,
    t: await time(() => session.run(feed), { warmup: 2, repeats: REPEATS * 3 }),
  });
  if (!args.includes('--no-cpu')) await benchEngine(engine, 'cpu', BATCH, CPU_TRAIN_BATCH, 1);
  await initBackend('wasm');

  log('\nimages/s (best = from the min time, median = from the median time):');
  log(
    `  ${'what'.padEnd(22)}${'backend'.padEnd(14)}${'batch'.padStart(6)}${'ms min'.padStart(10)}${'ms median'.padStart(11)}${'img/s best'.padStart(12)}${'img/s median'.padStart(14)}`,
  );
  for (const r of rows) {
    const ips = imagesPerSecond(r.t, r.batch);
    log(
      `  ${r.what.padEnd(22)}${r.backend.padEnd(14)}${String(r.batch).padStart(6)}${r.t.minMs.toFixed(1).padStart(10)}${r.t.medianMs.toFixed(1).padStart(11)}${ips.best.toFixed(1).padStart(12)}${ips.median.toFixed(1).padStart(14)}`,
    );
  }
  const get = (what: string, backend: string) => rows.find((r) => r.what === what && r.backend === backend);
  const ratio = (a?: Row, b?: Row) =>
    a && b ? (imagesPerSecond(a.t, a.batch).best / imagesPerSecond(b.t, b.batch).best).toFixed(1) : 'n/a';
  log('\nratios (best img/s):');
  log(
    `  engine train wasm / cpu:        ${ratio(get('engine train step', 'wasm'), get('engine train step', 'cpu'))}x`,
  );
  log(
    `  engine forward wasm / cpu:      ${ratio(get('engine forward', 'wasm'), get('engine forward', 'cpu'))}x`,
  );
  log(
    `  ORT forward / engine wasm:      ${ratio(get('onnxruntime forward', 'ort 1 thread'), get('engine forward', 'wasm'))}x`,
  );
  log(
    `  tfjs-ops train / engine train:  ${ratio(get('tfjs ops train step', 'wasm'), get('engine train step', 'wasm'))}x`,
  );
  log(
    `  engine train wasm vs target 130 img/s (engine-notes): ${((imagesPerSecond(get('engine train step', 'wasm')!.t, BATCH).best / 130) * 100).toFixed(0)}%`,
  );
  log(`\nORT vs engine (wasm, before training) logits max |diff|: ${maxDiff.toExponential(2)}`);
}

async function trainPart() {
  await initBackend('wasm');
  const log = (s = '') => process.stdout.write(`${s}\n`);
  const os = await import('node:os');
  const names = str('models', 'fashion,resnet18').split(',');
  const unknown = names.filter((n) => !TRAIN_MODELS.some((m) => m.name === n));
  if (unknown.length)
    throw new Error(
      `--models: unknown ${unknown.join(', ')} (known: ${TRAIN_MODELS.map((m) => m.name).join(', ')})`,
    );
  const rounds = opt('rounds', 15);
  const warmup = opt('warmup', 3);
  const settleMs = opt('settle-ms', 150);
  const header = [
    `Run ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0].toFixed(2)} at the start;`,
    `${warmup} warm-up steps per path, then ${rounds} rounds, each running one step of every path in turn (the tfjs engine: the first rounds only),`,
    `each timed step after ${settleMs} ms idle (the previous path's spin-waiting pool threads park first).`,
    'PyTorch runs with MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456.',
  ];
  log(`\ntraining step side by side — ${header.join(' ')}`);
  const results: ModelResult[] = [];
  for (const spec of TRAIN_MODELS.filter((m) => names.includes(m.name))) {
    const r = await benchTrainModel(spec, {
      rounds,
      warmup,
      tfjsRounds: spec.name === 'resnet18' ? Math.min(rounds, 3) : rounds,
      int8: !args.includes('--no-int8'),
      settleMs,
      log,
    });
    results.push({
      spec,
      columns: r.columns,
      note: r.torch ? `no PyTorch: ${r.torch}` : r.torchVersion ? `PyTorch ${r.torchVersion}` : null,
    });
  }
  printTables(results, log);
  if (args.includes('--write-docs')) {
    writeDocsSection(markdownSection(results, header));
    log('\nwrote the bench:engine-train section of docs/benchmarks.md');
  }
}

if (PART !== 'train') await main();
if (PART !== 'resnet8') await trainPart();
