/**
 * `nncf-ts nas --model M.onnx --config C.json --train T --val V --out-dir D [--preprocess SPEC]
 *  [--batch-size N] [--backend wasm|cpu] [--resume CKPT] [--checkpoint-every N] [--max-macs N | --max-macs-ratio R]
 *  [--json] [--no-progress]`
 * BootstrapNAS end to end, as NNCF's bootstrap_nas.py: progressive shrinking of the supernet as
 * `bootstrapNAS.training` says (softmax cross-entropy on the first output, the stages' LRs), then the
 * `bootstrapNAS.search` (NSGA-II / R-NSGA-II, each subnet BN-adapted on --train and scored by MACs
 * and top-1 on --val), then into D itself: `front.json` (per subnet of the Pareto front its config,
 * MACs, top-1 and file name; the supernet and NNCF's chosen subnet) and one standalone, physically
 * smaller `.onnx` per front subnet (with that subnet's adapted BN statistics), all written atomically.
 * The trained supernet is kept too (`supernet.onnx` + `supernet-state.json`: channel order, kernel
 * transforms), so `nas-export` sets any front subnet again later without retraining. `--max-macs` /
 * `--max-macs-ratio` name the most accurate front subnet within that budget (`chosen` in front.json).
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { positiveInt } from '../args.js';
import { checkInputPaths } from '../input-paths.js';
import { checkOutputPaths, writeOutput } from '../output-paths.js';
import { formatIssue, NNCFConfig } from '../../config/index.js';
import { loadConfigFile } from '../config-checks.js';
import { UsageError } from '../usage-error.js';
import { pickFrontSubnet, SubnetChoiceError } from '../../algorithms/nas/search/pick-subnet.js';
import type { RegisterCommand } from './index.js';
import type { CompressedModel } from '../../compression/index.js';
import type { MultiElasticityHandler, NasSearchResult, SubnetChoice, SubnetConfig, SubnetEvaluator } from '../../algorithms/nas/index.js';
import type { TrainerPosition } from '../../training/index.js';
import { subnetChoiceFromFlags } from '../subnet-choice-args.js';

export interface NasCommandOptions {
  model: string;
  config: string;
  train: string;
  val: string;
  outDir: string;
  preprocess?: string;
  batchSize?: string;
  backend?: 'wasm' | 'cpu';
  json?: boolean;
  progress?: boolean;
  /** A checkpoint of an interrupted nas run (its --out-dir/checkpoints/last.ckpt). */
  resume?: string;
  checkpointEvery?: string;
  maxMacs?: string;
  maxMacsRatio?: string;
}

/** For tests: sees every checkpoint the training writes (to keep one as if the run were killed there). */
export interface NasRunHooks {
  onCheckpoint?: (path: string, position: TrainerPosition) => void;
}

/** The trained supernet files next to front.json (what nas-export reads). */
export const SUPERNET_FILE = 'supernet.onnx';
export const SUPERNET_STATE_FILE = 'supernet-state.json';

/** front.json as nas writes it (the part nas-export reads). */
export interface FrontJson {
  model: string;
  config: string;
  /** What nas-export takes by default to set a subnet again (absolute paths). */
  inputs?: { config: string; train: string; preprocess: string | null; batch_size: number };
  search: { num_bn_adaptation_samples: number } & Record<string, unknown>;
  supernet: { config: SubnetConfig; macs: number; top1: number; file?: string; state_file?: string };
  front: FrontEntry[];
  chosen?: { by: Record<string, number>; index: number; file: string; macs: number; top1: number };
}

/** One subnet of front.json. */
export interface FrontEntry {
  file: string;
  config: SubnetConfig;
  macs: number;
  top1: number;
}

export interface NasRun {
  model: CompressedModel;
  handler: MultiElasticityHandler;
  evaluator: SubnetEvaluator;
  search: NasSearchResult;
  front: FrontEntry[];
  frontJson: string;
  /** Releases the engine, the handlers and the stored BN statistics. */
  dispose(): void;
}

/** The error of a config nas cannot run (exit 1: a checked input is invalid). */
export class NasCommandError extends Error {
  override name = 'NasCommandError';
}

/**
 * NNCF's example configs put SGD keys straight under `optimizer`, where NNCF's make_optimizer never
 * reads them (SGD gets optimizer_params' default momentum 0.9): said as warnings and left out of the
 * trainer's settings (which refuse unknown optimizer keys). `optimizer.label_smoothing` is read as NNCF's
 * bootstrap_nas.py script reads it: cross-entropy against (1 − ε)·onehot + ε/C.
 */
export function nasTrainingConfig(config: NNCFConfig, warn: (line: string) => void): { config: NNCFConfig; labelSmoothing?: number } {
  const optimizer = config.document.optimizer as Record<string, unknown> | undefined;
  if (!optimizer || typeof optimizer !== 'object') return { config };
  const cleaned = { ...optimizer };
  for (const key of ['momentum', 'nesterov', 'no_decay_keys'])
    if (key in cleaned) {
      warn(`optimizer.${key} has no effect: NNCF's make_optimizer does not read it at this level (SGD momentum comes from optimizer.optimizer_params, default 0.9)`);
      delete cleaned[key];
    }
  let labelSmoothing: number | undefined;
  if ('label_smoothing' in cleaned) {
    const v = cleaned.label_smoothing;
    // torch's CrossEntropyLoss range
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new NasCommandError(`optimizer.label_smoothing must be a number in [0, 1], got ${JSON.stringify(v)}`);
    labelSmoothing = v;
    delete cleaned.label_smoothing;
  }
  return { config: NNCFConfig.fromObject({ ...config.document, optimizer: cleaned }), labelSmoothing };
}

/**
 * The search section as written: the resolved config fills NNCF's defaults of every key, R-NSGA-II's
 * included, which the search would then take for keys the user wrote under NSGA2.
 */
export function rawSearchSection(config: NNCFConfig): import('../../algorithms/nas/index.js').SearchSection | undefined {
  return (config.document.bootstrapNAS as { search?: import('../../algorithms/nas/index.js').SearchSection } | undefined)?.search;
}

/** Trains, searches and writes D; returns the live objects (the command disposes them, tests compare with them). */
export async function runNas(opts: NasCommandOptions, log: (line: string) => void, hooks: NasRunHooks = {}): Promise<NasRun> {
  const batchSizeFlag = opts.batchSize === undefined ? undefined : positiveInt(opts.batchSize, '--batch-size');
  const every = opts.checkpointEvery === undefined ? undefined : positiveInt(opts.checkpointEvery, '--checkpoint-every');
  const budget = subnetChoiceFromFlags(opts, { required: false, allowIndex: false });
  if (opts.backend && opts.backend !== 'wasm' && opts.backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got '${opts.backend}'`);
  checkInputPaths([{ flag: '--train', path: opts.train }, { flag: '--val', path: opts.val }, ...(opts.resume ? [{ flag: '--resume', path: opts.resume }] : [])]);
  checkOutputPaths([{ flag: '--out-dir', path: opts.outDir, kind: 'directory' }]);
  const config = loadConfigFile(opts.config);
  for (const w of config.warnings) log(`nncf-ts: ${formatIssue(w, config.file)}`);
  const section = config.bootstrapNAS;
  if (!section) throw new NasCommandError(`${opts.config} has no "bootstrapNAS" section: nas trains and searches a BootstrapNAS supernet (use train or compress for compression configs)`);
  if (config.algorithms.length > 0)
    throw new NasCommandError(`nas runs bootstrapNAS alone: the config's "compression" section (${config.algorithms.map((a) => a.algorithm).join(', ')}) is not combined with it in nncf-ts`);
  if (config.accuracyAwareTraining) throw new NasCommandError('nas runs bootstrapNAS alone: accuracy_aware_training is not combined with it in nncf-ts');
  const [data, { loadOnnxModel }, engineMod, compression, nas, training, api, { saveOnnx, writeFileAtomic }, { cliTrainer }] = await Promise.all([
    import('../../data/index.js'),
    import('../../frontends/onnx/index.js'),
    import('../../engine/index.js'),
    import('../../compression/index.js'),
    import('../../algorithms/nas/index.js'),
    import('../../training/index.js'),
    import('../../api-nas.js'),
    import('../../exporters/onnx/index.js'),
    import('./train-loop.js'),
  ]);
  const initialization = await import('../../initialization/index.js');
  let ckpt;
  try {
    ckpt = opts.resume ? training.readTrainingCheckpoint(opts.resume) : undefined;
  } catch (e) {
    throw new UsageError(`--resume ${opts.resume}: ${(e as Error).message}`);
  }
  if (ckpt && !ckpt.compressionState?.ctrl_state)
    throw new NasCommandError(`--resume ${opts.resume}: the checkpoint has no progressive-shrinking state (it was not written by nas)`);
  const { config: trainConfig, labelSmoothing } = nasTrainingConfig(config, log);
  const settings = training.trainingSettings(trainConfig, { batchSize: batchSizeFlag });
  let graph;
  try {
    graph = await loadOnnxModel(opts.model);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (inputs.length !== 1) throw new UsageError(`nas needs a model with one input, ${opts.model} has ${inputs.length}`);
  compression.checkInputInfo(graph, config);
  const sampleShape = (inputs[0].shape ?? []).slice(1);
  let preprocess;
  try {
    preprocess = opts.preprocess ? data.parsePreprocessSpec(opts.preprocess) : undefined;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const load = async (path: string, flag: string) => {
    const ds = await data.loadData(path, { sampleShape, preprocess });
    if (!ds.y || ds.y.shape.length !== 1) throw new UsageError(`${flag} ${path}: nas trains and validates a classifier and needs one integer label per sample`);
    return ds;
  };
  const train = await load(opts.train, '--train');
  const val = await load(opts.val, '--val');
  await engineMod.initBackend(opts.backend ?? 'wasm');
  const model = new compression.CompressedModel(graph, new engineMod.Engine(graph));
  const batchSize = settings.batchSize;
  const stepsPerEpoch = Math.ceil(train.length / batchSize);
  let numBnSamples = 0;
  const bnAdapt = async () => {
    await initialization.adaptBatchNormOnEngine(model, { dataset: train, batchSize }, numBnSamples);
  };
  let built;
  try {
    built = nas.createProgressiveShrinking(model, config, { stepsPerEpoch, seed: settings.seed, bnAdapt, log });
  } catch (e) {
    model.engine.dispose();
    throw e;
  }
  const { handler, controller, trainController } = built;
  numBnSamples = built.numBnAdaptationSamples;
  let evaluator: SubnetEvaluator | undefined;
  const dispose = () => {
    evaluator?.dispose();
    built.distillation?.dispose();
    handler.dispose();
    model.engine.dispose();
  };
  try {
    const epochs = controller.scheduler.totalEpochs();
    if (config.document.epochs !== undefined && config.document.epochs !== epochs)
      log(`epochs (${String(config.document.epochs)}) is not used: progressive shrinking trains the stages' epochs (${epochs} in total)`);
    log(`progressive shrinking: ${built.stages.length} stage(s), ${epochs} epoch(s) of ${stepsPerEpoch} step(s); elastic ${handler.availableDims().join(', ')}`);
    // the Trainer's view of a compressed model: the supernet and what trains it (progressive shrinking, with KD when configured)
    const created: import('../../compression/index.js').CreateResult = { model, controller: trainController, getCompressionState: () => ({ builder_state: {}, ctrl_state: trainController.getState() }) };
    const { trainer, stopBar } = cliTrainer(
      { created, config: trainConfig, settings: { ...settings, epochs }, train, val, checkpointDir: join(opts.outDir, 'checkpoints'), labelSmoothing, every, onCheckpoint: hooks.onCheckpoint, progress: opts.progress ?? process.stderr.isTTY === true, log },
      { evaluate: false },
    );
    try {
      if (ckpt) {
        try {
          trainController.loadState(ckpt.compressionState!.ctrl_state as never);
          trainer.restore(ckpt);
        } catch (e) {
          throw new NasCommandError(`--resume ${opts.resume}: ${(e as Error).message} (resume with the config and model of the interrupted run)`);
        }
        log(`resumed from ${opts.resume} at epoch ${trainer.position.epoch}, batch ${trainer.position.batch}`);
      }
      await trainer.fit();
    } finally {
      stopBar();
      trainer.dispose();
    }
    log(`trained on ${trainer.engine}; searching subnets`);
    // the trained supernet as the search starts from it (weights, BN statistics, elastic state)
    const supernetPath = join(opts.outDir, SUPERNET_FILE);
    await writeOutput('--out-dir', opts.outDir, () => saveOnnx(compression.graphWithEngineWeights(model), supernetPath));
    const stateJson = `${JSON.stringify(nas.supernetState(handler))}\n`;
    await writeOutput('--out-dir', opts.outDir, () => writeFileAtomic(join(opts.outDir, SUPERNET_STATE_FILE), new TextEncoder().encode(stateJson)));
    log(`wrote ${supernetPath} and ${SUPERNET_STATE_FILE} (the trained supernet, for nas-export)`);
    const search = await api.searchSubnetsOnData({
      handler,
      search: rawSearchSection(config),
      val,
      train,
      batchSize,
      warn: (l) => log(`warning: ${l}`),
      onEvaluated: (e, k, total) => {
        if (opts.progress !== false) log(`search: subnet ${k}/${total}: ${(e.macs / 1e6).toFixed(3)} MMACs, top-1 ${e.top1.toFixed(2)}%`);
      },
    });
    evaluator = search.evaluator;
    log(`search: ${search.evaluated.length} subnets evaluated, ${search.front.length} on the front; supernet ${(search.supernet.macs / 1e6).toFixed(3)} MMACs, top-1 ${search.supernet.top1.toFixed(2)}%`);
    const front: FrontEntry[] = [];
    const width = String(search.front.length - 1).length;
    for (const [i, e] of search.front.entries()) {
      const file = `subnet-${String(i).padStart(width, '0')}.onnx`;
      await search.evaluator.activate(e.config); // the subnet's own BN statistics go into its file
      const subnet = handler.exportSubnet();
      await writeOutput('--out-dir', opts.outDir, () => saveOnnx(subnet, join(opts.outDir, file)));
      front.push({ file, config: e.config, macs: e.macs, top1: e.top1 });
      log(`wrote ${join(opts.outDir, file)}: ${(e.macs / 1e6).toFixed(3)} MMACs, top-1 ${e.top1.toFixed(2)}%`);
    }
    // NNCF leaves its chosen subnet active
    await search.evaluator.activate(search.bestConfig);
    const p = search.params;
    const chosen = budget ? chooseWithinBudget(front, search.supernet.macs, budget) : undefined;
    const body: FrontJson & Record<string, unknown> = {
      model: opts.model,
      config: opts.config,
      inputs: { config: resolve(opts.config), train: resolve(opts.train), preprocess: opts.preprocess ?? null, batch_size: batchSize },
      search: { algorithm: p.algorithm, num_evals: p.numEvals, population: p.population, generations: p.generations, seed: p.seed, ref_acc: p.refAcc, acc_delta: p.accDelta, num_bn_adaptation_samples: p.bnAdaptationSamples, evaluated: search.evaluated.length },
      macs_unit: 'multiply-accumulates of conv/linear layers (NNCF count_flops_and_weights / 2)',
      top1_unit: 'percent of --val',
      supernet: { config: search.supernet.config, macs: search.supernet.macs, top1: search.supernet.top1, file: SUPERNET_FILE, state_file: SUPERNET_STATE_FILE },
      best: search.best ? { config: search.best.config, macs: search.best.macs, top1: search.best.top1, file: front.find((f) => JSON.stringify(f.config) === JSON.stringify(search.best!.config))?.file ?? null } : null,
      front,
      ...(chosen && 'entry' in chosen ? { chosen: chosen.entry } : {}),
    };
    const frontJson = `${JSON.stringify(body, null, 2)}\n`;
    const frontPath = join(opts.outDir, 'front.json');
    await writeOutput('--out-dir', opts.outDir, () => writeFileAtomic(frontPath, new TextEncoder().encode(frontJson)));
    log(`wrote ${frontPath}`);
    if (chosen && 'error' in chosen) throw new NasCommandError(`${chosen.error} (front.json and the front's subnets are written)`);
    if (chosen && 'entry' in chosen) log(`within the budget: ${chosen.entry.file}, ${(chosen.entry.macs / 1e6).toFixed(3)} MMACs (${(chosen.entry.macs / search.supernet.macs).toFixed(3)}× the supernet), top-1 ${chosen.entry.top1.toFixed(2)}%`);
    return { model, handler, evaluator: search.evaluator, search, front, frontJson, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** front.json's `chosen`: the most accurate front subnet within the budget, or the error naming the smallest. */
function chooseWithinBudget(front: FrontEntry[], supernetMacs: number, budget: SubnetChoice): { entry: NonNullable<FrontJson['chosen']> } | { error: string } {
  const by: Record<string, number> = 'maxMacs' in budget ? { max_macs: budget.maxMacs } : 'maxMacsRatio' in budget ? { max_macs_ratio: budget.maxMacsRatio } : {};
  try {
    const index = pickFrontSubnet(front, supernetMacs, budget);
    const f = front[index];
    return { entry: { by, index, file: f.file, macs: f.macs, top1: f.top1 } };
  } catch (e) {
    if (!(e instanceof SubnetChoiceError)) throw e;
    return { error: `${'maxMacs' in budget ? '--max-macs' : '--max-macs-ratio'}: ${e.message}` };
  }
}

export async function nasCommand(
  opts: NasCommandOptions,
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  json: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  // --json: front.json alone on stdout, the log on stderr
  if (opts.json) print = (l) => process.stderr.write(`${l}\n`);
  const { mkdirSync } = await import('node:fs');
  checkOutputPaths([{ flag: '--out-dir', path: opts.outDir, kind: 'directory' }]);
  mkdirSync(opts.outDir, { recursive: true });
  const run = await runNas(opts, print);
  try {
    if (opts.json) json(run.frontJson.trim().replace(/\n\s*/g, ' '));
  } finally {
    run.dispose();
  }
}

export const registerNas: RegisterCommand = (program: Command) => {
  program
    .command('nas')
    .description('BootstrapNAS: progressive-shrinking training of a supernet, NSGA-II search of subnets, and one standalone .onnx per subnet of the Pareto front')
    .requiredOption('--model <file>', 'ONNX model (the supernet)')
    .requiredOption('--config <file>', 'NNCF config with a bootstrapNAS section (training and search)')
    .requiredOption('--train <data>', 'training data with labels (progressive shrinking; BN adaptation of each subnet)')
    .requiredOption('--val <data>', 'validation data with labels (the top-1 objective of the search)')
    .requiredOption('--out-dir <dir>', 'folder for front.json and subnet-*.onnx (created if missing; its parent must exist)')
    .option('--preprocess <spec>', 'input preprocessing (as for compress)')
    .option('--batch-size <n>', "override the config's batch_size")
    .option('--backend <name>', 'tfjs engine backend: wasm (default) or cpu')
    .option('--resume <ckpt>', 'continue an interrupted run from its checkpoint (--out-dir/checkpoints/last.ckpt), with the same model, config and data')
    .option('--checkpoint-every <n>', 'also save the training checkpoint every N optimizer steps (default: at each epoch end)')
    .option('--max-macs <n>', 'name in front.json ("chosen") the most accurate front subnet with at most N MACs; none: exit 1 naming the smallest')
    .option('--max-macs-ratio <r>', 'the same budget as a fraction of the supernet\'s MACs, in (0, 1]')
    .option('--json', 'print front.json on stdout as one line (the log goes to stderr)')
    .option('--no-progress', 'no progress bars or per-subnet search lines')
    .action((o: NasCommandOptions) => nasCommand(o));
};
