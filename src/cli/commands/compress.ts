/**
 * `nncf-ts compress --model M.onnx --config C.json --data D --out O.onnx [--report R.json]
 *  [--preprocess SPEC] [--batch-size N] [--split S] [--limit N] [--no-latency-check] [--quiet]
 *  [--latency-batch 1,8] [--latency-threads 1,2]`
 * Post-training compression: loads the model, the NNCF config and the init data (checked against the
 * model input), runs createCompressedModel (range init, BN adaptation), writes the compressed ONNX
 * model atomically (QDQ: after the latency check, which keeps float the blocks ORT runs slower
 * quantized than FP32), prints the statistics table (controller.statistics().toString()) and optionally a
 * JSON report of every quantizer, and the integer/float Conv/Gemm/MatMul kernels onnxruntime runs for the
 * original and the compressed model. A model with a fixed batch is fed that batch (said once).
 * Unreadable files / bad arguments → exit 2; invalid config, data that does not fit, or options the
 * target device forbids → exit 1 with the reason.
 */
import type { Command } from 'commander';
import { type NNCFConfig, BNAdaptationInitArgs, QuantizationRangeInitArgs } from '../../config/index.js';
import { RunLog } from '../log-dir.js';
import { registerPrecisionInitArgs } from '../precision-init-args.js';
import { checkConfigForCommand, loadConfigFile } from '../config-checks.js';
import { loadData, parsePreprocessSpec, type Dataset, type LoadDataOptions } from '../../data/index.js';
import { writeFileAtomic } from '../../exporters/onnx/index.js';
import { positiveInt } from '../args.js';
import { batchSizeForModel } from '../../initialization/fixed-batch.js';
import { setProgressSink } from '../../initialization/progress.js';
import { lineProgressSink } from '../progress-line.js';
import { checkInputPaths } from '../input-paths.js';
import { checkOutputPaths, writeOutput } from '../output-paths.js';
import { applyExportFormat, parseExportFormat } from '../export-format.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './index.js';

interface CompressOptions {
  model: string;
  config: string;
  data: string;
  out: string;
  report?: string;
  preprocess?: string;
  batchSize: string;
  split?: string;
  limit?: string;
  /** commander's --latency-check / --no-latency-check (default on). */
  latencyCheck?: boolean;
  /** Binarization's export form: onnx (standard ops, default) or fq (NNCF's FakeQuantize). */
  format?: string;
  /** Deploy settings the latency check times: comma lists, every batch with every thread count (default 1,8 and 1,2). */
  latencyBatch?: string;
  latencyThreads?: string;
  /** No progress lines (they are drawn only on a TTY anyway). */
  quiet?: boolean;
  /** filter_pruning: export masked zeros in the original shapes (NNCF's export) instead of a smaller model. */
  keepShape?: boolean;
  removeStructured?: boolean;
  /** Write weights with more zeros than values as ONNX sparse_initializer where smaller. */
  sparseInitializers?: boolean;
}

/** A comma list of positive integers (e.g. "1,8"), or a usage error naming the flag. */
function positiveIntList(v: string, flag: string): number[] {
  return v.split(',').map((x) => positiveInt(x.trim(), flag));
}


export async function compress(o: CompressOptions): Promise<string> {
  checkInputPaths([{ flag: '--data', path: o.data }]);
  checkOutputPaths([
    { flag: '--out', path: o.out, kind: 'file' },
    ...(o.report ? [{ flag: '--report', path: o.report, kind: 'file' as const }] : []),
  ]);
  const config = loadConfigFile(o.config);
  await checkConfigForCommand(config, 'compress');
  const format = parseExportFormat(o.format, config);
  const runLog = RunLog.open(config, { model: o.model, configFile: o.config }); // log_dir: created before any work
  const requestedBatchSize = positiveInt(o.batchSize, '--batch-size');
  const latencyBatches = positiveIntList(o.latencyBatch ?? '1,8', '--latency-batch');
  const latencyThreads = positiveIntList(o.latencyThreads ?? '1,2', '--latency-threads');
  const latencySettings = latencyBatches.flatMap((batch) => latencyThreads.map((threads) => ({ batch, threads })));
  const [{ loadOnnxModel }, { initBackend }, api] = await Promise.all([
    import('../../frontends/onnx/index.js'),
    import('../../engine/index.js'),
    import('../../api.js'),
  ]);
  let graph: Awaited<ReturnType<typeof loadOnnxModel>>;
  try {
    graph = await loadOnnxModel(o.model);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const input = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (input.length !== 1) throw new Error(`compress feeds --data to one model input; ${o.model} has ${input.length}`);
  // createCompressedModel feeds a fixed-batch model its own batch and says so; the latency check needs it too
  const { batchSize } = batchSizeForModel(input[0], requestedBatchSize);
  const opts: LoadDataOptions = { sampleShape: (input[0].shape ?? []).slice(1) };
  if (o.preprocess) opts.preprocess = parsePreprocessSpec(o.preprocess);
  if (o.split) opts.split = o.split;
  if (o.limit) opts.limit = positiveInt(o.limit, '--limit');
  const dataset = await loadData(o.data, opts);
  await initBackend('wasm');
  const loader = { dataset, batchSize: requestedBatchSize };
  config.registerExtraStructs([new QuantizationRangeInitArgs(loader), new BNAdaptationInitArgs(loader)]);
  await registerPrecisionInitArgs(config, loader);
  warnAboutStagedParams(config);
  // statistics, BN adaptation, HAWQ traces, AutoQ episodes: one stderr line each with rate and ETA
  const previousSink = setProgressSink(lineProgressSink({ quiet: o.quiet }));
  let result: Awaited<ReturnType<typeof api.createCompressedModel>>;
  try {
    result = await api.createCompressedModel(graph, config);
  } finally {
    setProgressSink(previousSink);
  }
  if (o.keepShape) {
    try {
      api.keepPrunedShapes(result.controller);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (o.removeStructured) {
    try {
      api.removeStructuredMasks(result.controller);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (o.latencyCheck !== false) await runLatencyCheck(result, dataset, typeof input[0].shape?.[0] === 'number' ? batchSize : 1, latencySettings);
  await applyExportFormat(result.controller, format);
  await writeOutput('--out', o.out, () => api.exportCompressedModel(result, o.out, { sparseInitializers: o.sparseInitializers === true }));
  const written = [`wrote the compressed model to ${o.out}`];
  const { compareLinearKernels, describeKernelComparison } = await import('../../runtime/index.js');
  const kernels = await compareLinearKernels(o.model, o.out);
  const statistics = result.controller.statistics();
  const text = `${statistics.toString()}\n${describeKernelComparison(kernels)}`;
  if (o.report) {
    const q = api.findQuantizationController(result.controller);
    const report = {
      model: o.model,
      config: o.config,
      out: o.out,
      samples: dataset.length,
      statistics: statistics.toDict(),
      ort_linear_kernels: kernels,
      // file and gzip sizes (what a web user downloads) of the input model and of the export
      sizes: (await import('../../report/plan/sizes.js')).fileSizes(o.model, o.out),
      ...(q ? api.quantizationReport(q) : {}),
    };
    await writeOutput('--report', o.report, () => writeFileAtomic(o.report!, new TextEncoder().encode(`${JSON.stringify(report, null, 2)}\n`)));
    written.push(`wrote the report to ${o.report}`);
  }
  const printed = [text, ...written].join('\n');
  runLog?.append(printed);
  runLog?.recordStatistics(result.controller, 'final');
  result.controller.dispose();
  result.model.engine.dispose();
  return printed;
}

/** QDQ exports only (ORT cannot time FakeQuantize): keep float the blocks ORT runs slower quantized. */
async function runLatencyCheck(result: Awaited<ReturnType<typeof import('../../api.js').createCompressedModel>>, dataset: Dataset, batch: number, settings: { batch: number; threads: number }[]): Promise<void> {
  const [{ findQuantizationController }, { latencyCheck }] = await Promise.all([import('../../algorithms/quantization/index.js'), import('../../latency-check.js')]);
  const q = findQuantizationController(result.controller);
  if (!q?.exportsStandardOps) return;
  const feeds = dataset.batches(Math.min(batch, dataset.length)).next().value!.x;
  try {
    await latencyCheck(result, { feeds, settings });
  } catch (e) {
    // the export is still valid (every quantizer stays on); only the speed guarantee is lost
    process.stderr.write(`nncf-ts: warning: latency check skipped, the export keeps every quantizer: ${(e as Error).message.split('\n')[0]}\n`);
  }
}

/**
 * A quantization section with `params` uses NNCF's staged scheduler: quantizer groups stay off until
 * their start epochs, and `compress` trains no epochs — so say plainly what the exported model holds.
 */
function warnAboutStagedParams(config: NNCFConfig): void {
  for (const section of config.algorithms) {
    if (section.algorithm !== 'quantization' || !('params' in section) || !section.params) continue;
    const p = section.params as { activations_quant_start_epoch: number; weights_quant_start_epoch: number };
    if (p.activations_quant_start_epoch <= 0 && p.weights_quant_start_epoch <= 0) continue;
    process.stderr.write(
      `nncf-ts: warning: quantization.params (staged scheduler) keeps activation quantizers off until epoch ` +
        `${p.activations_quant_start_epoch} and weight quantizers until epoch ${p.weights_quant_start_epoch}; ` +
        `compress trains no epochs, so those quantizers are exported disabled. Use 'nncf-ts train', or remove params.\n`,
    );
  }
}

export const registerCompress: RegisterCommand = (program: Command) => {
  program
    .command('compress')
    .description('compress a model post-training with an NNCF config (quantization: range init, BN adaptation, export)')
    .requiredOption('--model <path>', 'input .onnx model')
    .requiredOption('--config <path>', 'NNCF config (JSON with comments)')
    .requiredOption('--data <path>', 'init data: .npy, .npz, a directory of .npy, IDX (*-ubyte[.gz]) or digits files')
    .requiredOption('--out <path>', 'output .onnx model (written atomically)')
    .option('--report <path>', 'write a JSON report of every quantizer and the totals')
    .option('--format <onnx|fq>', 'binarization export: standard ONNX ops (onnx, default) or NNCF FakeQuantize levels 2 (fq)')
    .option('--sparse-initializers', 'write sparse weights as ONNX sparse_initializer where that is smaller (onnxruntime loads them)')
    .option('--preprocess <spec>', 'preprocessing, e.g. "scale=1/255,mean=0.286,std=0.353"')
    .option('--batch-size <n>', 'batch size of the init data loader', '32')
    .option('--split <name>', 'IDX directory with several image files: the split to use (train, t10k)')
    .option('--limit <n>', 'use only the first N samples')
    .option('--quiet', 'no progress lines on stderr (shown only on a terminal)')
    .option('--keep-shape', 'filter_pruning: export pruned filters as zeros in the original shapes (NNCF\'s export) instead of dropping them')
    .option('--remove-structured', 'movement_sparsity: export the heads/channels its structured masks pruned (resolved at the end of warm-up) physically removed')
    .option('--latency-check', 'time the QDQ export on onnxruntime against FP32 and keep float the blocks that are slower quantized (default)')
    .option('--no-latency-check', 'skip the latency check (QDQ export: blocks that ORT runs slower quantized than FP32 are kept float)')
    .option('--latency-batch <list>', 'batch sizes you deploy with, timed by the latency check (comma list; a fixed-batch model uses its own)', '1,8')
    .option('--latency-threads <list>', 'intra-op thread counts you deploy with, timed by the latency check (comma list); the export must beat FP32 at every batch × threads', '1,2')
    .action(async (o: CompressOptions) => {
      process.stdout.write(`${await compress(o)}\n`);
    });
};
