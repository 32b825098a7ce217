/**
 * `nncf-ts eval --model M.onnx [--model M2.onnx …] --data D [--preprocess SPEC] [--batch-size N] [--limit N]`
 * Top-1 accuracy of single-input classifiers on labelled data (the formats `compress --data` reads, with
 * labels: a .npy directory with labels.npy, .npz, IDX, digits) on onnxruntime-node. With several models
 * it also prints how often each agrees with the first on the predicted class (e.g. INT8 vs FP32).
 */
import type { Command } from 'commander';
import { loadData, parsePreprocessSpec, type LoadDataOptions } from '../../data/index.js';
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
}

export interface EvalResult {
  model: string;
  accuracy: number;
  /** Share of samples whose predicted class equals the first model's (1 for the first model). */
  agreement: number;
}


export async function evaluateModels(o: EvalOptions): Promise<EvalResult[]> {
  checkInputPaths([{ flag: '--data', path: o.data }]);
  const { OrtSession, top1Accuracy } = await import('../../runtime/index.js');
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
    let session;
    try {
      session = await OrtSession.create(path);
    } catch (e) {
      throw new UsageError(`cannot load model ${path}: ${(e as Error).message}`);
    }
    const { accuracy, predictions } = await top1Accuracy(session, data.x, labels, { batchSize });
    reference ??= predictions;
    let same = 0;
    for (let i = 0; i < predictions.length; i++) if (predictions[i] === reference[i]) same++;
    results.push({ model: path, accuracy, agreement: same / predictions.length });
    await session.release();
  }
  return results;
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
    .action(async (o: EvalOptions) => {
      const results = await evaluateModels(o);
      process.stdout.write(formatEval(results) + '\n');
    });
};
