/**
 * `nncf-ts eval --model M.onnx [--model M2.onnx …] --data D [--preprocess SPEC] [--batch-size N] [--limit N]`
 * Top-1 accuracy of single-input classifiers on labelled data (the formats `compress --data` reads, with
 * labels: a .npy directory with labels.npy, .npz, IDX, digits) on onnxruntime-node. With several models
 * it also prints how often each agrees with the first on the predicted class (e.g. INT8 vs FP32).
 * `--runtime engine` runs them on our tfjs engine instead (which also loads FakeQuantize exports).
 */
import { Option, type Command } from 'commander';
import { loadData, parsePreprocessSpec, type LoadDataOptions, type NdArray } from '../../data/index.js';
import { positiveInt } from '../args.js';
import { checkInputPaths } from '../input-paths.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './index.js';

interface EvalOptions {
  model: string[];
  data: string;
  preprocess?: string;
  batchSize: string;
  limit?: string;
  runtime?: 'ort' | 'engine';
}

export interface EvalResult {
  model: string;
  accuracy: number;
  /** Share of samples whose predicted class equals the first model's (1 for the first model). */
  agreement: number;
}


export async function evaluateModels(o: EvalOptions): Promise<EvalResult[]> {
  checkInputPaths([{ flag: '--data', path: o.data }]);
  const opts: LoadDataOptions = {};
  if (o.preprocess) opts.preprocess = parsePreprocessSpec(o.preprocess);
  if (o.limit) opts.limit = positiveInt(o.limit, '--limit');
  const batchSize = positiveInt(o.batchSize, '--batch-size');
  const data = await loadData(o.data, opts); // a missing file was refused above (exit 2); content errors exit 1 as in compress
  if (!data.y) throw new UsageError(`${o.data} has no labels (expected labels.npy next to the inputs, or an IDX labels file)`);
  const labels = Array.from(data.y.data as ArrayLike<number | bigint>, Number);
  const results: EvalResult[] = [];
  let reference: Int32Array | undefined;
  for (const path of o.model) {
    const predictions = o.runtime === 'engine' ? await enginePredictions(path, data.x, batchSize) : await ortPredictions(path, data.x, labels, batchSize);
    let correct = 0;
    for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
    const accuracy = predictions.length ? correct / predictions.length : 0;
    reference ??= predictions;
    let same = 0;
    for (let i = 0; i < predictions.length; i++) if (predictions[i] === reference[i]) same++;
    results.push({ model: path, accuracy, agreement: same / predictions.length });
  }
  return results;
}

async function ortPredictions(path: string, x: NdArray, labels: number[], batchSize: number): Promise<Int32Array> {
  const { OrtSession, top1Accuracy } = await import('../../runtime/index.js');
  let session;
  try {
    session = await OrtSession.create(path);
  } catch (e) {
    throw new UsageError(`cannot load model ${path}: ${(e as Error).message}`);
  }
  try {
    return (await top1Accuracy(session, x, labels, { batchSize })).predictions;
  } finally {
    await session.release();
  }
}

/** Argmax of the first output on the tfjs engine (loaded lazily), batch by batch. */
async function enginePredictions(path: string, x: NdArray, batchSize: number): Promise<Int32Array> {
  const [tf, { Engine, initBackend }, { loadOnnxModel }, { argmaxRows }] = await Promise.all([
    import('@tensorflow/tfjs-core'),
    import('../../engine/index.js'),
    import('../../frontends/onnx/index.js'),
    import('../../runtime/index.js'),
  ]);
  let graph;
  try {
    graph = await loadOnnxModel(path);
  } catch (e) {
    throw new UsageError(`cannot load model ${path}: ${(e as Error).message}`);
  }
  await initBackend('wasm');
  const engine = new Engine(graph);
  const input = graph.inputs.find((i) => !graph.initializers.has(i.name))!.name;
  const output = graph.outputs[0].name;
  const n = x.shape[0];
  const per = x.data.length / n;
  const predictions = new Int32Array(n);
  try {
    for (let s = 0; s < n; s += batchSize) {
      const b = Math.min(batchSize, n - s);
      const t = tf.tensor(Float32Array.from((x.data as Float32Array).subarray(s * per, (s + b) * per)), [b, ...x.shape.slice(1)]);
      const y = engine.run({ [input]: t })[output];
      predictions.set(argmaxRows({ dtype: 'float32', shape: [...y.shape], data: (await y.data()) as Float32Array }), s);
      tf.dispose([t, y]);
    }
  } finally {
    engine.dispose();
  }
  return predictions;
}

export function formatEval(results: EvalResult[], samples?: number): string {
  const lines = results.map(
    (r, i) =>
      `${r.model}: top-1 ${(100 * r.accuracy).toFixed(2)}%` +
      (i > 0 ? `, same class as ${results[0].model} on ${(100 * r.agreement).toFixed(2)}%` : ''),
  );
  if (samples !== undefined) lines.unshift(`${samples} labelled samples`);
  return lines.join('\n');
}

export const registerEval: RegisterCommand = (program: Command) => {
  program
    .command('eval')
    .description('top-1 accuracy of classifiers on labelled data, on onnxruntime-node')
    .requiredOption('--model <file>', 'ONNX model (repeat to compare several)', (v: string, prev: string[] = []) => [...prev, v])
    .requiredOption('--data <path>', 'labelled data: .npy directory with labels.npy, .npz, IDX files, digits')
    .option('--preprocess <spec>', 'e.g. "scale=1/255,mean=0.286,std=0.353,channel=first"')
    .option('--batch-size <n>', 'inference batch size', '256')
    .option('--limit <n>', 'use only the first N samples')
    .addOption(new Option('--runtime <name>', 'onnxruntime-node or our tfjs engine (runs FakeQuantize exports)').choices(['ort', 'engine']).default('ort'))
    .action(async (o: EvalOptions) => {
      const results = await evaluateModels(o);
      process.stdout.write(formatEval(results) + '\n');
    });
};
