/**
 * AutoQ with data (spec/algorithms.md §6.3): the evalFn of AutoQPrecisionInitArgs scores the FP32
 * model once (the pretrained score that scales the reward), then every candidate strategy the DDPG
 * search proposes, on eval_subset_ratio of the loader (NNCF PartialDataLoader: the first
 * ⌊ratio · batches⌋ batches, at least one). The evalFn receives the CompressedModel (run it with
 * `model.run(feeds)`) and a loader of the kind that was registered.
 *
 * Cost per episode ≈ one evalFn pass over the subset + BN adaptation (when configured) + building
 * the quantizers (range statistics are collected once per quantizer config and reused) + steps ·
 * n_update DDPG updates (batch 64 through 300×300 MLPs; milliseconds).
 */
import type { AutoQEnvironment, CompressedModel } from '../../compression/index.js';
import type { Dataset } from '../../data/index.js';
import { asInitLoader, InitializationError } from '../init-data.js';
import { autoqSearchLoop } from './search.js';


export interface AutoQRunParams {
  iterNumber: number;
  warmupIterNumber: number;
  evalSubsetRatio: number;
  seed: number;
}

export interface AutoQRunResult {
  bits: number[];
  bestReward: number;
  bestEpisode: number;
  pretrainedScore: number;
  episodes: { episode: number; reward: number; score: number; sizeRatio: number; bits: number[]; ms: number }[];
}

export type AutoQEvalFn = (model: unknown, loader: unknown) => number | Promise<number>;

/** The loader the evalFn sees: the registered one at ratio 1, else the same kind over the first batches. */
export function partialLoader(dataLoader: unknown, ratio: number): unknown {
  if (ratio >= 1) return dataLoader;
  const loader = asInitLoader(dataLoader, 'AutoQPrecisionInitArgs');
  if (!loader) throw new InitializationError('AutoQPrecisionInitArgs: eval_subset_ratio < 1 needs a data loader (a Dataset or { dataset, batchSize })');
  const batches = Math.ceil(loader.dataset.length / loader.batchSize);
  const n = Math.min(loader.dataset.length, Math.max(1, Math.floor(ratio * batches)) * loader.batchSize);
  const subset: Dataset = loader.dataset.take(n);
  return dataLoader === loader.dataset ? subset : { ...(dataLoader as object), dataset: subset };
}

async function score(evalFn: AutoQEvalFn, model: CompressedModel, loader: unknown, what: string): Promise<number> {
  const v = await evalFn(model, loader);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InitializationError(`AutoQPrecisionInitArgs.evalFn must return a finite number; it returned ${String(v)} for ${what}`);
  return v;
}

export async function autoqOnEngine(
  model: CompressedModel,
  args: { dataLoader: unknown; evalFn: AutoQEvalFn },
  env: AutoQEnvironment,
  params: AutoQRunParams,
  applyBits: (bits: number[]) => Promise<() => void>,
): Promise<AutoQRunResult> {
  if (!(params.evalSubsetRatio > 0 && params.evalSubsetRatio <= 1))
    throw new InitializationError(`quantization.initializer.precision.eval_subset_ratio must be in (0, 1], got ${params.evalSubsetRatio}`);
  const loader = partialLoader(args.dataLoader, params.evalSubsetRatio);
  const pretrainedScore = await score(args.evalFn, model, loader, 'the FP32 model');
  const ms: number[] = [];
  const out = await autoqSearchLoop(
    env,
    async (bits) => {
      const t0 = performance.now();
      const restore = await applyBits(bits);
      let s: number;
      try {
        s = await score(args.evalFn, model, loader, `the bit widths [${bits.join(', ')}]`);
      } finally {
        restore();
      }
      ms.push(performance.now() - t0);
      return { score: s, reward: env.reward(s, pretrainedScore) };
    },
    params,
  );
  return { ...out, pretrainedScore, episodes: out.episodes.map((e, i) => ({ ...e, ms: ms[i] })) };
}
