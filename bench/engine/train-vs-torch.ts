/**
 * One SGD training step side by side in one run: our ORT training graph (1 and 2 threads), our tfjs
 * engine (wasm, one thread) and PyTorch (1 and 2 threads, tuned malloc) on the same architecture —
 * the Fashion-MNIST CNN (batch 64) and torchvision's ResNet-18 at 64×64 (batch 32, exported from
 * torchvision by torch_train.py with BatchNormalization kept). Runs are interleaved round by round
 * after a warm-up, so every column sees the same machine load; min and median per column.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { createCompressedModel } from '../../src/api.js';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { refreshNodeInputs, spliceCompressionNodes } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset, Random } from '../../src/data/index.js';
import type { Graph } from '../../src/graph/index.js';
import { Engine } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { softmaxCrossEntropy } from '../../src/training/index.js';
import { ensureTorch, runTorchScript, TorchTrainer } from './torch-client.js';

export interface TrainModelSpec {
  name: 'fashion' | 'resnet18';
  title: string;
  batch: number;
  shape: number[];
  onnx: string;
}

export const TRAIN_MODELS: TrainModelSpec[] = [
  {
    name: 'fashion',
    title: 'Fashion-MNIST CNN',
    batch: 64,
    shape: [1, 28, 28],
    onnx: 'examples/fashion-mnist/model.onnx',
  },
  {
    name: 'resnet18',
    title: 'ResNet-18 64×64',
    batch: 32,
    shape: [3, 64, 64],
    onnx: '.cache/bench/resnet18-64.onnx',
  },
];

export interface Column {
  what: string;
  ms: number[];
  /** Process CPU time per step: at one thread the work done, steadier than wall time under load. */
  cpu: number[];
}

type Timed = { ms: number[]; cpu: number[] };

/** Wall and process CPU time of one call. */
async function timed(fn: () => Promise<unknown> | unknown): Promise<Timed> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return { ms: [performance.now() - t0], cpu: [(c.user + c.system) / 1000] };
}

export interface TrainOptions {
  rounds: number;
  warmup: number;
  /** Rounds the (slow) tfjs engine takes part in. */
  tfjsRounds: number;
  /** Also the INT8 QAT training graph (FakeQuantize node forms) at 1 and 2 threads. */
  int8: boolean;
  /**
   * Idle milliseconds before each timed step. After a multi-threaded run ORT's pool workers spin-wait for
   * tens of ms (PyTorch's OpenMP workers briefly too): without a pause the next path is timed while they
   * burn the other core — the 1-thread INT8 QAT step, which follows the 2-thread FP32 step, paid for it.
   */
  settleMs: number;
  log: (s: string) => void;
}

type Runner = {
  what: string;
  run: () => Promise<Timed>;
  rounds: number;
  done?: () => Promise<void> | void;
};

const LR = 0.01;

/**
 * The model quantized with NNCF's defaults (8-bit, FakeQuantize nodes spliced in from the insertion
 * commands' node forms), compiled for training; range init on 64 random samples.
 */
export async function int8TrainingGraph(graph: Graph, sample: number[]) {
  const rng = new Random(11);
  const n = 64;
  const size = sample.reduce((a, b) => a * b, 1);
  const init = new Dataset(
    { dtype: 'float32', shape: [n, ...sample], data: new Float32Array(n * size).map(() => rng.normal()) },
    { dtype: 'int32', shape: [n], data: Int32Array.from({ length: n }, () => rng.int(10)) },
  );
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, ...sample] },
    compression: {
      algorithm: 'quantization',
      initializer: { range: { num_init_samples: n }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
    },
  });
  const r = await createCompressedModel(graph, config, { initDataset: init });
  r.model.engine.syncToGraph();
  const spliced = spliceCompressionNodes(r.model.graph, r.model.commands());
  return {
    compiled: compileTrainingGraph(spliced.graph, spliced.compileOptions),
    spliced,
    prepare: (s: OrtTrainerStep) => refreshNodeInputs(spliced.feeds, s),
  };
}

async function ortRunner(
  compiled: ReturnType<typeof compileTrainingGraph>,
  threads: number,
  x: Float32Array,
  shape: number[],
  labels: Int32Array,
  label = 'ORT graph',
  prepare?: (s: OrtTrainerStep) => void,
): Promise<Runner> {
  const step = await OrtTrainerStep.create(compiled, { threads });
  prepare?.(step);
  return {
    what: `${label}, ${threads} thread${threads > 1 ? 's' : ''}`,
    rounds: Infinity,
    run: () =>
      timed(async () => {
        const r = await step.step({ data: x, shape }, labels);
        for (const [name, g] of r.gradients) {
          const p = step.parameters.get(name)!;
          for (let i = 0; i < p.length; i++) p[i] -= LR * g[i];
        }
      }),
    done: () => step.release(),
  };
}

function tfjsRunner(
  engine: Engine,
  x: Float32Array,
  shape: number[],
  labels: Int32Array,
  rounds: number,
): Runner {
  const opt = tf.train.sgd(LR);
  const xt = tf.tensor(x, shape);
  const yt = tf.tensor1d(labels, 'int32');
  return {
    what: `tfjs engine (${tf.getBackend()}), 1 thread`,
    rounds,
    run: () =>
      timed(() => {
        const loss = opt.minimize(
          () => softmaxCrossEntropy(engine.run({ input: xt }, { training: true }).logits, yt),
          true,
          engine.trainableVariables(),
        )!;
        loss.dataSync();
        loss.dispose();
      }),
    done: () => {
      tf.dispose([xt, yt]);
      opt.dispose();
      engine.dispose();
    },
  };
}

/** Exports the ResNet-18 ONNX file once (cached under .cache/bench/). */
export function ensureResNet18(path: string): void {
  if (existsSync(path)) return;
  mkdirSync('.cache/bench', { recursive: true });
  runTorchScript(['export-resnet18', path]);
}

export async function benchTrainModel(
  spec: TrainModelSpec,
  opts: TrainOptions,
): Promise<{ columns: Column[]; torch: string | null; torchVersion?: string }> {
  const torchMissing = ensureTorch(opts.log);
  if (spec.name === 'resnet18') {
    if (torchMissing) return { columns: [], torch: `ResNet-18 needs torch for its export: ${torchMissing}` };
    ensureResNet18(spec.onnx);
  }
  const rng = new Random(7);
  const shape = [spec.batch, ...spec.shape];
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.normal());
  const labels = Int32Array.from({ length: spec.batch }, () => rng.int(10));
  const compiled = compileTrainingGraph(await loadOnnxModel(spec.onnx));
  const runners: Runner[] = [
    await ortRunner(compiled, 1, x, shape, labels),
    await ortRunner(compiled, 2, x, shape, labels),
  ];
  if (opts.int8) {
    const q = await int8TrainingGraph(await loadOnnxModel(spec.onnx), spec.shape);
    for (const threads of [1, 2])
      runners.push(await ortRunner(q.compiled, threads, x, shape, labels, 'ORT graph INT8 QAT', q.prepare));
  }
  runners.push(tfjsRunner(new Engine(await loadOnnxModel(spec.onnx)), x, shape, labels, opts.tfjsRounds));
  let torchVersion: string | undefined;
  if (!torchMissing) {
    const torch = await TorchTrainer.start(spec.name, spec.batch);
    torchVersion = torch.version;
    for (const threads of [1, 2])
      runners.push({
        what: `PyTorch, ${threads} thread${threads > 1 ? 's' : ''}`,
        rounds: Infinity,
        run: () => torch.steps(threads, 1),
        done: threads === 2 ? () => torch.stop() : undefined,
      });
  }
  const got = new Map<Runner, Timed>(runners.map((r) => [r, { ms: [], cpu: [] }]));
  for (const r of runners)
    for (let i = 0; i < Math.min(opts.warmup, r.rounds === Infinity ? opts.warmup : 1); i++) await r.run();
  const settle = () => new Promise((resolve) => setTimeout(resolve, opts.settleMs));
  for (let round = 0; round < opts.rounds; round++) {
    for (const r of runners)
      if (round < r.rounds) {
        await settle();
        const t = await r.run();
        got.get(r)!.ms.push(...t.ms);
        got.get(r)!.cpu.push(...t.cpu);
      }
    opts.log(`  ${spec.title}: round ${round + 1}/${opts.rounds}`);
  }
  for (const r of runners) await r.done?.();
  return {
    columns: runners.map((r) => ({ what: r.what, ...got.get(r)! })),
    torch: torchMissing,
    torchVersion,
  };
}

export const minOf = (v: number[]) => Math.min(...v);
export function medianOf(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
