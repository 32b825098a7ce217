/**
 * `nncf-ts train --model M.onnx --config C.json --train D --val V --out O.onnx [--epochs N] [--resume CKPT]
 *  [--checkpoint-dir DIR] [--checkpoint-every N] [--batch-size N] [--preprocess SPEC] [--backend wasm|cpu]`
 * Compression-aware training of a classifier (softmax cross-entropy on the first model output): builds the
 * config's algorithms, trains with the config's training keys (see training/settings.ts), shows a progress
 * bar per epoch, keeps last/best checkpoints, exports the trained compressed model and prints statistics.
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
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './index.js';

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
  progress?: boolean;
  report?: string;
  format?: string;
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

export async function trainCommand(opts: TrainCommandOptions, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  const epochs = optionalInt(opts.epochs, '--epochs', true);
  const batchSize = optionalInt(opts.batchSize, '--batch-size');
  const every = optionalInt(opts.checkpointEvery, '--checkpoint-every');
  if (opts.backend && opts.backend !== 'wasm' && opts.backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got '${opts.backend}'`);
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
  const created = await api.createCompressedModel(graph, config, { initDataset: train, compressionState: ckpt?.compressionState });
  const checkpointDir = opts.checkpointDir ?? runLog?.dir ?? join(dirname(opts.out), `${basename(opts.out).replace(/\.onnx$/, '')}.checkpoints`);
  const loopOptions = { created, config, settings, train, val, ckpt, checkpointDir, every, progress: opts.progress ?? process.stderr.isTTY === true, log, onEpochEnd: runLog && ((e: number) => runLog.recordStatistics(created.controller, e)) };
  let report: Record<string, unknown> = {};
  if (aa) {
    if (config.document.epochs !== undefined) log(`epochs (${String(config.document.epochs)}) is not used: accuracy_aware_training's maximal_total_epochs bounds the epochs`);
    const uncompressedAccuracy = await ortTop1(opts.model, val);
    const { runAccuracyAwareTraining } = await import('./train-aa.js');
    const result = await runAccuracyAwareTraining({ ...loopOptions, uncompressedAccuracy });
    report = { accuracy_aware_training: { mode: aa.mode, ...result } };
    runLog?.writeJson('accuracy_aware_history.json', report.accuracy_aware_training);
  } else {
    const trainer = await runTraining(loopOptions);
    report = { epochs: trainer.history };
  }
  await applyExportFormat(created.controller, format);
  await writeOutput('--out', opts.out, () => saveOnnx(api.exportGraph(created), opts.out));
  log(`saved ${opts.out}; checkpoints in ${checkpointDir}`);
  runLog?.recordStatistics(created.controller, 'final');
  if (opts.report) {
    const body = `${JSON.stringify({ model: opts.model, config: opts.config, out: opts.out, ...report, statistics: created.controller.statistics().toDict() }, null, 2)}\n`;
    await writeOutput('--report', opts.report, () => writeFileAtomic(opts.report!, new TextEncoder().encode(body)));
  }
  created.controller.dispose();
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
    .option('--batch-size <n>', 'override the config\'s batch_size')
    .option('--resume <ckpt>', 'continue from a checkpoint written by train')
    .option('--checkpoint-dir <dir>', 'where last.ckpt / best.ckpt go (default: the log_dir run directory when the config sets log_dir, else next to --out)')
    .option('--checkpoint-every <n>', 'also save every N optimizer steps')
    .option('--preprocess <spec>', 'input preprocessing (as for compress)')
    .option('--backend <name>', 'engine backend: wasm (default) or cpu')
    .option('--no-progress', 'no progress bars')
    .option('--format <onnx|fq>', 'binarization export: standard ONNX ops (onnx, default) or NNCF FakeQuantize levels 2 (fq)')
    .option('--report <file>', 'JSON report: the epochs (or the accuracy-aware history: rate, accuracy, budget per epoch) and the statistics')
    .action((o: TrainCommandOptions) => trainCommand(o));
};
