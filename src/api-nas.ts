/**
 * BootstrapNAS on data: the search runner (algorithms/nas/search/run-search.ts) with its validation
 * (top-1 of the active subnet on the engine, hooks on) and its per-subnet BatchNorm adaptation
 * (search.batchnorm_adaptation.num_bn_adaptation_samples training samples on the engine) bound to
 * datasets. The `nas` command and bench:nas call `searchSubnetsOnData`.
 */
import { runNasSearch, searchParams, type MultiElasticityHandler, type NasSearchResult, type SearchParams, type SearchSection, type SubnetEvaluation, type SubnetEvaluator } from './algorithms/nas/index.js';
import type { CompressedModel } from './compression/index.js';
import type { Dataset } from './data/index.js';
import { adaptBatchNormOnEngine, dataInput } from './initialization/index.js';
import { evaluateOnEngine } from './training/index.js';

/** Top-1 in percent of the model's first output on labelled data, eval mode, compression hooks on. */
export function top1OnEngine(model: CompressedModel, ds: Dataset, batchSize: number): number {
  return 100 * evaluateOnEngine(model, ds, batchSize, { input: dataInput(model.graph).name }).top1;
}

export interface NasSearchOnDataOptions {
  handler: MultiElasticityHandler;
  /** `bootstrapNAS.search` (NNCF defaults for absent keys). */
  search?: SearchSection;
  /** Labelled validation data: the accuracy objective. */
  val: Dataset;
  /** Training data for BN adaptation of each subnet (required unless num_bn_adaptation_samples is 0). */
  train?: Dataset;
  /** Batch size of validation and BN adaptation (NNCF's loaders' batch size). */
  batchSize: number;
  /** Replaces search.ref_acc (percent). */
  refAcc?: number;
  warn?: (message: string) => void;
  onEvaluated?: (e: SubnetEvaluation, count: number, total: number) => void;
}

/** Runs NNCF's search on datasets; the caller disposes `evaluator` (it holds the supernet's BN statistics). */
export async function searchSubnetsOnData(o: NasSearchOnDataOptions): Promise<NasSearchResult & { evaluator: SubnetEvaluator }> {
  const params: SearchParams = searchParams(o.search ?? {}, o.warn);
  const model = o.handler.model;
  const samples = params.bnAdaptationSamples;
  if (samples > 0 && !o.train)
    throw new Error('bootstrapNAS.search.batchnorm_adaptation: BN adaptation of each subnet needs training data (or num_bn_adaptation_samples 0)');
  const train = o.train;
  const adaptBn =
    samples > 0 && train
      ? async () => {
          await adaptBatchNormOnEngine(model, { dataset: train, batchSize: o.batchSize }, samples);
        }
      : undefined;
  return runNasSearch({ handler: o.handler, search: params, validate: () => top1OnEngine(model, o.val, o.batchSize), adaptBn, refAcc: o.refAcc, warn: o.warn, onEvaluated: o.onEvaluated });
}

export {
  createProgressiveShrinking,
  runNasSearch,
  SubnetEvaluator,
  MultiElasticityHandler,
  type NasTraining,
  type NasSearchOptions,
  type NasSearchResult,
  type SubnetConfig,
  type SubnetEvaluation,
} from './algorithms/nas/index.js';
