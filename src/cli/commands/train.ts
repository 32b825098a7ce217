/**
 * `nncf-ts train --model M.onnx --config C.json --train D --val V --out O.onnx [--epochs N] [--resume CKPT]
 *  [--checkpoint-dir DIR] [--checkpoint-every N] [--batch-size N] [--preprocess SPEC] [--backend wasm|cpu]
 *  [--engine ort|tfjs] [--threads N] [--json]`
 * Compression-aware training of a classifier (softmax cross-entropy on the first model output): builds the
 * config's algorithms, trains with the config's training keys (see training/settings.ts), shows a progress
 * bar per epoch, keeps last/best checkpoints, exports the trained compressed model and prints statistics.
 * Training runs on ONNX Runtime (the compiled training graph) when it can, else on the tfjs engine;
 * `--json` prints one summary object on stdout (engine, img_per_s, accuracies) and the log on stderr.
 */
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { positiveInt } from '../args.js';
import { checkInputPaths } from '../input-paths.js';
import { RunLog } from '../log-dir.js';
import { checkOutputPaths, writeOutput } from '../output-paths.js';
import { applyExportFormat, parseExportFormat } from '../export-format.js';
import { writeFileAtomic } from '../../exporters/onnx/index.js';
import { registerPrecisionInitArgs } from '../precision-init-args.js';
import { checkConfigForCommand, loadConfigFile } from '../config-checks.js';
import { LeGRInitArgs } from '../../config/index.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './index.js';
import type { Trainer } from '../../training/index.js';

export interface TrainCommandOptions {
  model: string;
  config: string;
  train: string;
  val: string;
  out: string;
  epochs?: string;
  batchSize?: string;
  resume?: string;
  checkpointDir?: string;
  checkpointEvery?: string;
  preprocess?: string;
  backend?: 'wasm' | 'cpu';
  engine?: string;
  threads?: string;
  json?: boolean;
  progress?: boolean;
  report?: string;
  format?: string;
  /** filter_pruning: export masked zeros in the original shapes instead of a smaller model. */
  keepShape?: boolean;
  removeStructured?: boolean;
  /** Write weights with more zeros than values as ONNX sparse_initializer where smaller. */
  sparseInitializers?: boolean;
}

/** An optional integer option: undefined stays undefined (the config or NNCF default applies). */
function optionalInt(v: string | undefined, flag: string, allowZero = false): number | undefined {
  return v === undefined ? undefined : positiveInt(v, flag, allowZero);
}

const usage = async <T>(p: Promise<T> | (() => T)): Promise<T> => {
  try {
    return await (typeof p === 'function' ? p() : p);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
};

export async function trainCommand(
  opts: TrainCommandOptions,
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  json: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  const epochs = optionalInt(opts.epochs, '--epochs', true);
  const batchSize = optionalInt(opts.batchSize, '--batch-size');
  const every = optionalInt(opts.checkpointEvery, '--checkpoint-every');
  if (opts.backend && opts.backend !== 'wasm' && opts.backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got '${opts.backend}'`);
  if (opts.engine !== undefined && opts.engine !== 'ort' && opts.engine !== 'tfjs') throw new UsageError(`--engine must be ort or tfjs, got '${opts.engine}'`);
  const engine = opts.engine as 'ort' | 'tfjs' | undefined;
  const threads = optionalInt(opts.threads, '--threads');
  // --json: the summary object alone on stdout, the log on stderr
  if (opts.json) print = (l) => process.stderr.write(`${l}\n`);
  checkInputPaths([{ flag: '--train', path: opts.train }, { flag: '--val', path: opts.val }]);
  // the default checkpoint folders (next to --out, or log_dir's run directory) sit in folders checked or created here
  checkOutputPaths([
    { flag: '--out', path: opts.out, kind: 'file' },
    ...(opts.checkpointDir ? [{ flag: '--checkpoint-dir', path: opts.checkpointDir, kind: 'directory' as const }] : []),
    ...(opts.report ? [{ flag: '--report', path: opts.report, kind: 'file' as const }] : []),
  ]);
  const [data, { loadOnnxModel }, { initBackend }, api, training, { saveOnnx }, { runTraining }] = await Promise.all([
    import('../../data/index.js'),
    import('../../frontends/onnx/index.js'),
    import('../../engine/index.js'),
    import('../../api.js'),
    import('../../training/index.js'),
    import('../../exporters/onnx/index.js'),
    import('./train-loop.js'),
  ]);
  const config = loadConfigFile(opts.config);
  await checkConfigForCommand(config, 'train');
  const format = parseExportFormat(opts.format, config);
  const aa = config.accuracyAwareTraining;
  if (aa && opts.resume) throw new UsageError('--resume cannot be combined with accuracy_aware_training: the loop\'s search state (best states per rate) is not checkpointed');
  if (aa && epochs !== undefined) throw new UsageError('--epochs cannot be combined with accuracy_aware_training: its params.maximal_total_epochs bounds the epochs');
  const runLog = RunLog.open(config, { model: opts.model, configFile: opts.config }); // log_dir: created before any work
  const log = runLog ? runLog.tee(print) : print;
  const settings = training.trainingSettings(config, { epochs, batchSize });
  const graph = await usage(loadOnnxModel(opts.model));
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (inputs.length !== 1) throw new UsageError(`train needs a model with one input, ${opts.model} has ${inputs.length}`);
  const sampleShape = (inputs[0].shape ?? []).slice(1);
  const preprocess = opts.preprocess ? await usage(() => data.parsePreprocessSpec(opts.preprocess!)) : undefined;
  const load = async (path: string, flag: string) => {
    const ds = await data.loadData(path, { sampleShape, preprocess }); // missing files were refused above (exit 2); content errors exit 1 as in compress
    if (!ds.y || ds.y.shape.length !== 1) throw new UsageError(`${flag} ${path}: classification training needs one integer label per sample`);
    return ds;
  };
  const train = await load(opts.train, '--train');
  const val = await load(opts.val, '--val');
  const ckpt = opts.resume ? await usage(() => training.readTrainingCheckpoint(opts.resume!)) : undefined;
  await initBackend(opts.backend ?? 'wasm');
  await registerPrecisionInitArgs(config, { dataset: train, batchSize: settings.batchSize });
  // LeGR (learned_ranking) scores its candidate rankings by training on --train and validating on --val
  if (!config.hasExtraStruct(LeGRInitArgs)) config.registerExtraStructs([training.legrInitArgs(train, val, { batchSize: settings.batchSize, seed: settings.seed, engine, threads, log })]);
  const created = await api.createCompressedModel(graph, config, { initDataset: train, compressionState: ckpt?.compressionState });
  if (opts.keepShape) await usage(() => api.keepPrunedShapes(created.controller)); // before training: a flag without pruning is a usage error
  if (opts.removeStructured) await usage(() => api.removeStructuredMasks(created.controller));
  const checkpointDir = opts.checkpointDir ?? runLog?.dir ?? join(dirname(opts.out), `${basename(opts.out).replace(/\.onnx$/, '')}.checkpoints`);
  let trainer: Trainer | undefined;
  const loopOptions = { created, config, settings, train, val, ckpt, checkpointDir, every, engine, threads, onTrainer: (t: Trainer) => (trainer = t), progress: opts.progress ?? process.stderr.isTTY === true, log, onEpochEnd: runLog && ((e: number) => runLog.recordStatistics(created.controller, e)) };
  let report: Record<string, unknown> = {};
  if (aa) {
    if (config.document.epochs !== undefined) log(`epochs (${String(config.document.epochs)}) is not used: accuracy_aware_training's maximal_total_epochs bounds the epochs`);
    const uncompressedAccuracy = await ortTop1(opts.model, val);
    const { runAccuracyAwareTraining } = await import('./train-aa.js');
    const result = await runAccuracyAwareTraining({ ...loopOptions, uncompressedAccuracy });
    report = { accuracy_aware_training: { mode: aa.mode, ...result } };
    runLog?.writeJson('accuracy_aware_history.json', report.accuracy_aware_training);
  } else {
    report = { epochs: (await runTraining(loopOptions)).history };
  }
  await applyExportFormat(created.controller, format);
  await writeOutput('--out', opts.out, () => saveOnnx(api.exportGraph(created), opts.out, { sparseInitializers: opts.sparseInitializers === true }));
  log(`saved ${opts.out}; checkpoints in ${checkpointDir}`);
  runLog?.recordStatistics(created.controller, 'final');
  if (opts.report) {
    const body = `${JSON.stringify({ model: opts.model, config: opts.config, out: opts.out, ...report, statistics: created.controller.statistics().toDict() }, null, 2)}\n`;
    await writeOutput('--report', opts.report, () => writeFileAtomic(opts.report!, new TextEncoder().encode(body)));
  }
  created.controller.dispose();
  if (opts.json) json(JSON.stringify({ ...trainSummary(trainer!, opts.out, checkpointDir), ...(aa ? report : {}) }));
}

/** The `--json` summary: which engine trained, training images/s (batch loops only: no model loading, validation or checkpoints), accuracies. */
export function trainSummary(trainer: Trainer, out: string, checkpointDir: string): Record<string, unknown> {
  const h = trainer.history;
  const last = h.at(-1);
  const { samples, seconds } = trainer.throughput;
  return {
    engine: trainer.engine,
    epochs: h.length,
    img_per_s: seconds > 0 ? Math.round((samples / seconds) * 10) / 10 : null,
    train_images: samples,
    train_seconds: Math.round(seconds * 1000) / 1000,
    loss: last?.loss ?? null,
    train_acc: last?.metric ?? null,
    val_acc: last?.evalMetric ?? null,
    best_val_acc: h.length ? Math.max(...h.map((r) => r.evalMetric ?? -Infinity)) : null,
    history: h.map((r) => ({ epoch: r.epoch, loss: r.loss, train_acc: r.metric ?? null, val_acc: r.evalMetric ?? null, lr: r.lr })),
    out,
    checkpoint_dir: checkpointDir,
  };
}

/** Top-1 of the uncompressed model on ONNX Runtime: the reference of the accuracy-aware loops. */
async function ortTop1(modelPath: string, ds: import('../../data/index.js').Dataset): Promise<number> {
  const [{ OrtSession, top1Accuracy }, { classIds }] = await Promise.all([import('../../runtime/index.js'), import('../../data/index.js')]);
  const session = await OrtSession.create(modelPath);
  try {
    const labels = Array.from(classIds(ds.y!));
    return (await top1Accuracy(session, ds.x, labels, { batchSize: 256 })).accuracy;
  } finally {
    await session.release();
  }
}

export const registerTrain: RegisterCommand = (program: Command) => {
  program
    .command('train')
    .description('compression-aware training of a classifier (softmax cross-entropy) driven by an NNCF config')
    .requiredOption('--model <file>', 'ONNX model')
    .requiredOption('--config <file>', 'NNCF config (with optional training keys: batch_size, epochs, optimizer)')
    .requiredOption('--train <data>', 'training data with labels (.npz, IDX, digits, .npy directory)')
    .requiredOption('--val <data>', 'validation data with labels')
    .requiredOption('--out <file>', 'trained compressed model (.onnx)')
    .option('--epochs <n>', 'override the config\'s epochs')
    .option('--sparse-initializers', 'write sparse weights as ONNX sparse_initializer where that is smaller (onnxruntime loads them)')
    .option('--batch-size <n>', 'override the config\'s batch_size')
    .option('--resume <ckpt>', 'continue from a checkpoint written by train')
    .option('--checkpoint-dir <dir>', 'where last.ckpt / best.ckpt go (default: the log_dir run directory when the config sets log_dir, else next to --out)')
    .option('--checkpoint-every <n>', 'also save every N optimizer steps')
    .option('--preprocess <spec>', 'input preprocessing (as for compress)')
    .option('--backend <name>', 'tfjs engine backend: wasm (default) or cpu')
    .option('--engine <name>', 'training engine: ort (the compiled training graph on ONNX Runtime) or tfjs; default ort when every op has a gradient rule and every compression op a graph-node form, else tfjs (one line says why)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads for training (default: the cores available)')
    .option('--json', 'print one summary object on stdout (engine, img_per_s, accuracies); the log goes to stderr')
    .option('--no-progress', 'no progress bars')
    .option('--format <onnx|fq>', 'binarization export: standard ONNX ops (onnx, default) or NNCF FakeQuantize levels 2 (fq)')
    .option('--keep-shape', 'filter_pruning: export pruned filters as zeros in the original shapes (NNCF\'s export) instead of dropping them')
    .option('--remove-structured', 'movement_sparsity: export the heads/channels its structured masks pruned (resolved at the end of warm-up) physically removed')
    .option('--report <file>', 'JSON report: the epochs (or the accuracy-aware history: rate, accuracy, budget per epoch) and the statistics')
    .action((o: TrainCommandOptions) => trainCommand(o));
};
