/**
 * `nncf-ts nas-export --front D/front.json (--index K | --max-macs N | --max-macs-ratio R) --out F.onnx
 *  [--model SUPERNET.onnx] [--config C] [--train T] [--preprocess SPEC] [--batch-size N] [--backend wasm|cpu] [--json]`
 * One subnet of a `nas` run's Pareto front as a standalone, physically smaller ONNX, without retraining:
 * the trained supernet `nas` kept next to front.json (supernet.onnx + supernet-state.json) gets the
 * elastic handlers of the run's config back, the chosen subnet is set, its BatchNorm statistics adapted
 * from the supernet's on the same training samples and batch size as the search did, and the subnet is
 * exported — the same file as the run's subnet-K.onnx. By budget: the most accurate front subnet within
 * the MACs (ties: fewer MACs). Model, config, data, preprocessing and batch size default to what front.json
 * records of the run.
 */
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { positiveInt } from '../args.js';
import { checkInputPaths } from '../input-paths.js';
import { checkOutputPaths, writeOutput } from '../output-paths.js';
import { loadConfigFile } from '../config-checks.js';
import { subnetChoiceFromFlags } from '../subnet-choice-args.js';
import { UsageError } from '../usage-error.js';
import { NasCommandError, type FrontJson } from './nas.js';
import type { RegisterCommand } from './index.js';
import { pickFrontSubnet, SubnetChoiceError } from '../../algorithms/nas/search/pick-subnet.js';
import type { SubnetConfig } from '../../algorithms/nas/index.js';

export interface NasExportOptions {
  front: string;
  out: string;
  index?: string;
  maxMacs?: string;
  maxMacsRatio?: string;
  model?: string;
  config?: string;
  train?: string;
  preprocess?: string;
  batchSize?: string;
  backend?: 'wasm' | 'cpu';
  json?: boolean;
}

export interface NasExportResult {
  index: number;
  file: string;
  out: string;
  config: SubnetConfig;
  macs: number;
  top1: number;
}

/** Reads and checks front.json: a file nas wrote, with the trained supernet's files named. */
async function readFront(path: string): Promise<FrontJson> {
  const { readFileSync } = await import('node:fs');
  let body: FrontJson;
  try {
    body = JSON.parse(readFileSync(path, 'utf8')) as FrontJson;
  } catch (e) {
    throw new NasCommandError(`--front ${path}: not JSON (${(e as Error).message})`);
  }
  if (!body || !Array.isArray(body.front) || typeof body.supernet?.macs !== 'number') throw new NasCommandError(`--front ${path}: not a front.json written by nas (no "front" list or "supernet.macs")`);
  if (!body.supernet.file || !body.supernet.state_file || !body.inputs)
    throw new NasCommandError(`--front ${path}: names no trained supernet (supernet.file / supernet.state_file / inputs); it was written by a nas without them, run nas again`);
  return body;
}

export async function runNasExport(opts: NasExportOptions, log: (line: string) => void): Promise<NasExportResult> {
  const choice = subnetChoiceFromFlags(opts, { required: true, allowIndex: true })!;
  const batchFlag = opts.batchSize === undefined ? undefined : positiveInt(opts.batchSize, '--batch-size');
  if (opts.backend && opts.backend !== 'wasm' && opts.backend !== 'cpu') throw new UsageError(`--backend must be wasm or cpu, got '${opts.backend}'`);
  checkInputPaths([{ flag: '--front', path: opts.front }]);
  checkOutputPaths([{ flag: '--out', path: opts.out, kind: 'file' }]);
  const body = await readFront(opts.front);
  let index: number;
  try {
    index = pickFrontSubnet(body.front, body.supernet.macs, choice);
  } catch (e) {
    if (!(e instanceof SubnetChoiceError)) throw e;
    const flag = 'index' in choice ? '--index' : 'maxMacs' in choice ? '--max-macs' : '--max-macs-ratio';
    throw new NasCommandError(`${flag}: ${e.message}`);
  }
  const entry = body.front[index];
  const dir = dirname(opts.front);
  const modelPath = opts.model ?? join(dir, body.supernet.file!);
  const statePath = join(dir, body.supernet.state_file!);
  const configPath = opts.config ?? body.inputs!.config;
  const samples = body.search.num_bn_adaptation_samples ?? 0;
  const trainPath = opts.train ?? body.inputs!.train;
  checkInputPaths([
    { flag: '--model', path: modelPath },
    { flag: '--front (supernet state)', path: statePath },
    { flag: '--config', path: configPath },
    ...(samples > 0 ? [{ flag: '--train', path: trainPath }] : []),
  ]);
  const config = loadConfigFile(configPath);
  if (!config.bootstrapNAS) throw new NasCommandError(`${configPath} has no "bootstrapNAS" section: nas-export needs the nas run's config`);
  const [{ readFileSync }, data, { loadOnnxModel }, engineMod, compression, nas, initialization, { saveOnnx }] = await Promise.all([
    import('node:fs'),
    import('../../data/index.js'),
    import('../../frontends/onnx/index.js'),
    import('../../engine/index.js'),
    import('../../compression/index.js'),
    import('../../algorithms/nas/index.js'),
    import('../../initialization/index.js'),
    import('../../exporters/onnx/index.js'),
  ]);
  let graph;
  try {
    graph = await loadOnnxModel(modelPath);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  await engineMod.initBackend(opts.backend ?? 'wasm');
  const model = new compression.CompressedModel(graph, new engineMod.Engine(graph));
  let handler;
  try {
    handler = nas.elasticHandlerFromConfig(model, config);
    let state;
    try {
      state = JSON.parse(readFileSync(statePath, 'utf8')) as import('../../algorithms/nas/index.js').SupernetState;
    } catch (e) {
      throw new NasCommandError(`${statePath}: not JSON (${(e as Error).message})`);
    }
    nas.loadSupernetState(handler, state);
    handler.activate(entry.config);
    if (handler.macs() !== entry.macs)
      throw new NasCommandError(`subnet ${index} has ${handler.macs()} MACs on ${modelPath} with ${configPath}, front.json says ${entry.macs}: the model or config is not the nas run's`);
    if (samples > 0) {
      const input = graph.inputs.find((i) => !graph.initializers.has(i.name))!;
      let preprocess;
      try {
        const spec = opts.preprocess ?? body.inputs!.preprocess ?? undefined;
        preprocess = spec ? data.parsePreprocessSpec(spec) : undefined;
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const train = await data.loadData(trainPath, { sampleShape: (input.shape ?? []).slice(1), preprocess });
      const batchSize = batchFlag ?? body.inputs!.batch_size;
      // as the search: from the supernet's statistics (the file's), the first samples, the run's batch size
      await initialization.adaptBatchNormOnEngine(model, { dataset: train, batchSize }, samples);
      log(`BN statistics adapted on ${Math.min(samples, train.length)} samples of ${trainPath} (batch ${batchSize})`);
    }
    const subnet = handler.exportSubnet();
    await writeOutput('--out', opts.out, () => saveOnnx(subnet, opts.out));
    log(`wrote ${opts.out}: subnet ${index} of the front (${entry.file}), ${(entry.macs / 1e6).toFixed(3)} MMACs (${(entry.macs / body.supernet.macs).toFixed(3)}× the supernet), top-1 ${entry.top1.toFixed(2)}% in the search`);
    return { index, file: entry.file, out: opts.out, config: entry.config, macs: entry.macs, top1: entry.top1 };
  } finally {
    handler?.dispose();
    model.engine.dispose();
  }
}

export const registerNasExport: RegisterCommand = (program: Command) => {
  program
    .command('nas-export')
    .description("one subnet of a nas run's Pareto front (by index or the most accurate within a MACs budget) as a standalone .onnx, from the trained supernet nas kept (no retraining)")
    .requiredOption('--front <file>', "the nas run's front.json (supernet.onnx and supernet-state.json are read next to it)")
    .requiredOption('--out <file>', 'the subnet .onnx to write')
    .option('--index <k>', 'the subnet at position K of front.json\'s "front" (0 = fewest MACs)')
    .option('--max-macs <n>', 'the most accurate front subnet with at most N MACs')
    .option('--max-macs-ratio <r>', "the most accurate front subnet with at most R × the supernet's MACs, R in (0, 1]")
    .option('--model <file>', 'the trained supernet (default: supernet.onnx next to front.json)')
    .option('--config <file>', "the nas run's config (default: the path front.json records)")
    .option('--train <data>', 'the training data of the run, for the BN adaptation of the subnet (default: the path front.json records)')
    .option('--preprocess <spec>', 'input preprocessing (default: the run\'s)')
    .option('--batch-size <n>', "BN adaptation batch size (default: the run's)")
    .option('--backend <name>', 'tfjs engine backend: wasm (default) or cpu')
    .option('--json', 'print the chosen subnet (index, file, config, MACs, top-1) as one JSON line on stdout (the log goes to stderr)')
    .addHelpText('after', '\nExample:\n  $ nncf-ts nas-export --front nas-out/front.json --max-macs-ratio 0.6 --out small.onnx\n')
    .action(async (o: NasExportOptions) => {
      const print = o.json ? (l: string) => process.stderr.write(`${l}\n`) : (l: string) => process.stdout.write(`${l}\n`);
      const r = await runNasExport(o, print);
      if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    });
};
