/**
 * `nncf-ts plan --model M.onnx --config C.json [--data D] [--epochs E] [--steps-per-epoch S] [--json]`
 * A dry run: builds the compressed model as compress/train would (range init and BN adaptation only
 * with --data), trains nothing, writes nothing, and prints what each algorithm compresses and leaves
 * alone, the schedule driven like NNCF's training loop, and the final statistics. The work is in
 * src/report/plan; this file loads the inputs. Exit codes as compress: 2 usage/unreadable, 1 invalid.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { BNAdaptationInitArgs, formatIssue, QuantizationRangeInitArgs } from '../../config/index.js';
import { positiveInt } from '../args.js';
import { checkConfigForCommand, loadConfigFile } from '../config-checks.js';
import { registerPrecisionInitArgs } from '../precision-init-args.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './index.js';

export interface PlanCommandOptions {
  model: string;
  config: string;
  data?: string;
  epochs?: string;
  stepsPerEpoch?: string;
  json?: boolean;
  preprocess?: string;
  batchSize?: string;
  split?: string;
  limit?: string;
}

export async function planCommand(o: PlanCommandOptions): Promise<string> {
  const config = loadConfigFile(o.config);
  if (config.bootstrapNAS !== undefined) return nasPlan(o, config);
  // Unbuilt sections are refused as train refuses them; no compression section gives an empty plan.
  await checkConfigForCommand(config, 'train');
  const epochs = o.epochs === undefined ? undefined : positiveInt(o.epochs, '--epochs', true);
  const steps = o.stepsPerEpoch === undefined ? 0 : positiveInt(o.stepsPerEpoch, '--steps-per-epoch', true);
  const configBatch = config.get('batch_size');
  const batchSize =
    o.batchSize !== undefined
      ? positiveInt(o.batchSize, '--batch-size')
      : typeof configBatch === 'number'
        ? configBatch
        : 32;
  if (o.data !== undefined && !existsSync(o.data))
    throw new UsageError(`--data ${o.data}: no such file or directory`);
  const [{ loadOnnxModel }, { initBackend }, data, plan] = await Promise.all([
    import('../../frontends/onnx/index.js'),
    import('../../engine/index.js'),
    import('../../data/index.js'),
    import('../../report/plan/index.js'),
    import('../../api.js'), // registers the algorithms and their initialization services
  ]);
  let graph: Awaited<ReturnType<typeof loadOnnxModel>>;
  try {
    graph = await loadOnnxModel(o.model);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (o.data !== undefined) {
    const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
    if (inputs.length !== 1)
      throw new Error(`plan feeds --data to one model input; ${o.model} has ${inputs.length}`);
    const dataset = await data.loadData(o.data, {
      sampleShape: (inputs[0].shape ?? []).slice(1),
      ...(o.preprocess ? { preprocess: data.parsePreprocessSpec(o.preprocess) } : {}),
      ...(o.split ? { split: o.split } : {}),
      ...(o.limit ? { limit: positiveInt(o.limit, '--limit') } : {}),
    });
    const loader = { dataset, batchSize };
    config.registerExtraStructs([new QuantizationRangeInitArgs(loader), new BNAdaptationInitArgs(loader)]);
    await registerPrecisionInitArgs(config, loader);
  }
  await initBackend('wasm');
  let result: Awaited<ReturnType<typeof plan.buildPlan>>;
  try {
    result = await plan.buildPlan(graph, config, {
      model: o.model,
      config: o.config,
      epochs,
      stepsPerEpoch: steps,
    });
  } catch (e) {
    if (e instanceof plan.PlanNeedsDataError) throw new UsageError(e.message);
    throw e;
  }
  if (!o.json) return plan.renderPlan(result); // the tables carry the notes
  for (const n of result.notes) process.stderr.write(`nncf-ts: warning: ${n}\n`);
  return JSON.stringify(result, null, 2);
}

/** A bootstrapNAS config: the elastic dimensions, the search space and the stages (report/plan/nas-plan.ts). */
async function nasPlan(o: PlanCommandOptions, config: import('../../config/index.js').NNCFConfig): Promise<string> {
  for (const w of config.warnings) process.stderr.write(`nncf-ts: ${formatIssue(w, config.file)}\n`);
  if (config.algorithms.length > 0)
    throw new Error(`plan: bootstrapNAS runs alone (nncf-ts nas); the config's "compression" section (${config.algorithms.map((a) => a.algorithm).join(', ')}) is not combined with it`);
  for (const flag of ['data', 'epochs', 'stepsPerEpoch'] as const)
    if (o[flag] !== undefined && !(flag === 'stepsPerEpoch' && o[flag] === '0'))
      process.stderr.write(`nncf-ts: warning: --${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} has no effect on a bootstrapNAS plan (the stages give the epochs; nothing is initialised from data)\n`);
  const [{ loadOnnxModel }, { initBackend }, plan] = await Promise.all([import('../../frontends/onnx/index.js'), import('../../engine/index.js'), import('../../report/plan/index.js')]);
  let graph: Awaited<ReturnType<typeof loadOnnxModel>>;
  try {
    graph = await loadOnnxModel(o.model);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  await initBackend('wasm');
  const result = plan.buildNasPlan(graph, config, { model: o.model, config: o.config });
  if (!o.json) return plan.renderNasPlan(result);
  for (const n of result.notes) process.stderr.write(`nncf-ts: note: ${n}\n`);
  return JSON.stringify(result, null, 2);
}

export const registerPlan: RegisterCommand = (program: Command) => {
  program
    .command('plan')
    .description(
      'dry run: what a config compresses in a model, the schedule per epoch/step, and the final statistics (trains and writes nothing)',
    )
    .requiredOption('--model <path>', 'input .onnx model')
    .requiredOption('--config <path>', 'NNCF config (JSON with comments)')
    .option(
      '--data <path>',
      'init data as for compress; without it range init and BN adaptation are skipped and shapes come from input_info',
    )
    .option('--epochs <n>', "epochs to schedule (default: the config's epochs, else 1)")
    .option('--steps-per-epoch <n>', 'scheduler steps per epoch', '0')
    .option('--json', 'one JSON object on stdout instead of tables')
    .option('--preprocess <spec>', 'preprocessing of --data, e.g. "scale=1/255,mean=0.286,std=0.353"')
    .option(
      '--batch-size <n>',
      "batch size of the init data loader (default: the config's batch_size, else 32)",
    )
    .option('--split <name>', 'IDX directory with several image files: the split to use (train, t10k)')
    .option('--limit <n>', 'use only the first N samples of --data')
    .addHelpText(
      'after',
      '\nExample:\n  $ nncf-ts plan --model examples/fashion-mnist/model.onnx --config examples/fashion-mnist/int8.json --epochs 2 --json\n',
    )
    .action(async (o: PlanCommandOptions) => {
      process.stdout.write(`${await planCommand(o)}\n`);
    });
};
