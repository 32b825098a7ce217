/**
 * LeGR's search as NNCF runs it (global_ranking/legr.py, LeGREvolutionEnv, LeGRPruner): for each of
 * `generations` episodes, restore the original weights and full masks, ask the agent for ranking
 * coefficients, prune to `max_pruning` with them, train `train_steps` steps, and reward the action with
 * −validation loss. The best action is returned; the weights and masks are restored at the end.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../../compression/index.js';
import { EvolutionOptimizer, type EvolutionParams, type RankingCoeffs } from './evolution.js';

/** What LeGR needs from the pruning controller. */
export interface LegrPruner {
  /** Filter importances of each pruned layer (raw weights, not normalised), in layer order. */
  layerNorms(): Map<string, Float64Array>;
  /** Sets masks for `level` (FLOPs share with pruning_flops_target, else filter share) ranked with `coeffs`. */
  pruneWith(level: number, coeffs: RankingCoeffs): void;
  /** All filters kept again. */
  resetMasks(): void;
}

/** The user's (or the CLI's) training and validation of one episode. */
export interface LegrEpisode {
  train(steps: number): Promise<void>;
  /** Validation [accuracy, loss]. */
  validate(): Promise<readonly [number, number]>;
}

export interface LegrParams extends EvolutionParams {
  trainSteps: number;
  maxPruning: number;
}

export interface LegrResult {
  coeffs: RankingCoeffs;
  /** Reward (−loss) and accuracy of every episode, in order. */
  episodes: { reward: number; accuracy: number }[];
}

/** Copies of every engine weight (trainable and running statistics), NNCF's state_dict deep copy. */
function snapshotWeights(model: CompressedModel): { restore(): void; dispose(): void } {
  const saved: { variable: tf.Variable; value: tf.Tensor }[] = model.engine.weights().map((w) => ({ variable: w.variable, value: w.variable.clone() }));
  return {
    restore: () => saved.forEach((s) => s.variable.assign(s.value)),
    dispose: () => saved.forEach((s) => s.value.dispose()),
  };
}

export class LegrError extends Error {
  override name = 'LegrError';
}

/** Checks legr_params; each error names the key. */
export function checkLegrParams(p: LegrParams): void {
  const at = (k: string) => `filter_pruning.params.legr_params.${k}`;
  const posInt = (v: number) => Number.isInteger(v) && v >= 1;
  if (!posInt(p.generations)) throw new LegrError(`${at('generations')} must be a positive integer, got ${p.generations}`);
  if (!(Number.isInteger(p.trainSteps) && p.trainSteps >= 0)) throw new LegrError(`${at('train_steps')} must be a non-negative integer, got ${p.trainSteps}`);
  if (!(p.maxPruning > 0 && p.maxPruning < 1)) throw new LegrError(`${at('max_pruning')} must be in (0, 1), got ${p.maxPruning}`);
  if (!posInt(p.populationSize)) throw new LegrError(`${at('population_size')} must be a positive integer, got ${p.populationSize}`);
  if (!posInt(p.numSamples)) throw new LegrError(`${at('num_samples')} must be a positive integer, got ${p.numSamples}`);
  if (!(p.mutatePercent >= 0 && p.mutatePercent <= 1)) throw new LegrError(`${at('mutate_percent')} must be in [0, 1], got ${p.mutatePercent}`);
  if (!(p.scaleSigma >= 0 && Number.isFinite(p.scaleSigma))) throw new LegrError(`${at('scale_sigma')} must be a non-negative number, got ${p.scaleSigma}`);
  if (!Number.isInteger(p.seed)) throw new LegrError(`${at('random_seed')} must be an integer, got ${p.seed}`);
}

export async function learnRankingCoeffs(
  model: CompressedModel,
  pruner: LegrPruner,
  episode: LegrEpisode,
  params: LegrParams,
  log: (line: string) => void = () => {},
): Promise<LegrResult> {
  checkLegrParams(params);
  const agent = new EvolutionOptimizer(pruner.layerNorms(), params);
  const weights = snapshotWeights(model);
  const episodes: LegrResult['episodes'] = [];
  const reset = () => {
    weights.restore();
    pruner.resetMasks();
  };
  // NNCF's LeGR log lines (legr.py train_global_ranking), which `nncf-ts train` also keeps in log_dir's output.log
  log('Start training LeGR ranking coefficients...');
  let end = performance.now();
  try {
    for (let g = 0; g < params.generations; g++) {
      reset();
      const action = agent.ask(g);
      pruner.pruneWith(params.maxPruning, action);
      await episode.train(params.trainSteps);
      const v = await episode.validate();
      if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number')
        throw new LegrError(`LeGRInitArgs.valFn must return [accuracy, loss] (two numbers), got ${JSON.stringify(v)}`);
      const [accuracy, loss] = v;
      // a diverged episode (NaN/∞ loss) is the worst action, never the best
      const reward = Number.isFinite(loss) ? -loss : -Infinity;
      agent.tell(reward);
      episodes.push({ reward, accuracy });
      const seconds = (performance.now() - end) / 1000;
      end = performance.now();
      log(`LeGR generation ${g}: reward ${reward.toFixed(4)} (val loss ${loss.toFixed(4)}, acc ${accuracy.toFixed(4)}), ${seconds.toFixed(3)} s`);
    }
  } finally {
    reset();
    weights.dispose();
  }
  log('Finished training LeGR ranking coefficients.');
  // Python's repr of the float list (−∞ as -inf)
  log(`Evolution algorithm rewards history = [${episodes.map((e) => (Number.isFinite(e.reward) ? String(e.reward) : '-inf')).join(', ')}]`);
  const coeffs = agent.bestAction;
  if (!coeffs) throw new LegrError('LeGR: every episode diverged (validation loss NaN or infinite); no ranking coefficients were learned');
  return { coeffs, episodes };
}
