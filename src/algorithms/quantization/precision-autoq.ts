/**
 * AutoQ precision init (spec/algorithms.md §6.3, config `initializer.precision.type: "autoq"`), the
 * algorithm side: parameters, the pure environment (precision-autoq-env.ts), and how a candidate
 * strategy is put into the model for evaluation. The search itself (DDPG, evalFn on data) arrives
 * through the `autoqSearch` init service (src/initialization/autoq, wired in src/api.ts).
 *
 * A candidate = the placed setup with each quantizer at its width through manual precision's HW rule
 * (`withBits`), built as quantizer modules whose hooks go into the FP32 model, range-initialised
 * (NNCF re-uses the build-time range init for every episode: min/max statistics do not depend on the
 * width, so they are collected once per quantizer config and re-applied), BN-adapted when the config
 * asks for it (as NNCF's QuantizationEnv), evaluated, then taken out again with BN statistics restored.
 * Only NPU and TRIAL targets (NNCF asserts on the HW config type). `dump_init_precision_data` is ignored.
 */
import { CONFIG_DEFAULTS, type NNCFConfig, type PrecisionInitSection } from '../../config/index.js';
import type { CompressedModel } from '../../compression/index.js';
import type { AutoQApplyBits, QuantizationInitServices, RangeStatisticInfo } from './init-services.js';
import { buildModule, OWNER, QuantizationSetupError, setFastForward, type QuantizerModule } from './modules.js';
import type { QuantizerSpec } from './placement/index.js';
import { AutoQEnvironment } from './precision-autoq-env.js';
import { withBits } from './precision-hawq.js';
import type { ManualPrecisionOptions } from './precision-manual.js';
import { rangeTargets } from './range-init.js';

export * from './precision-autoq-env.js';

/** NNCF DDPG's default seed. */
export const AUTOQ_SEED = 528;
const P = 'quantization.initializer.precision';

export interface AutoQParams {
  bits: readonly number[];
  iterNumber: number;
  warmupIterNumber: number;
  compressionRatio: number;
  evalSubsetRatio: number;
}

/** The config's AutoQ parameters with NNCF's defaults, checked. */
export function autoqParams(precision: PrecisionInitSection, device: string): AutoQParams {
  if (device !== 'NPU' && device !== 'TRIAL')
    throw new QuantizationSetupError(`AutoQ precision initialization requires target_device NPU or TRIAL, got target_device "${device}"`);
  const d = CONFIG_DEFAULTS.AUTOQ_DEFAULTS;
  const p: AutoQParams = {
    bits: precision.bits ?? d.bits,
    iterNumber: precision.iter_number ?? d.iter_number,
    warmupIterNumber: precision.warmup_iter_number ?? d.warmup_iter_number,
    compressionRatio: precision.compression_ratio ?? d.compression_ratio,
    evalSubsetRatio: precision.eval_subset_ratio ?? d.eval_subset_ratio,
  };
  if (!Number.isInteger(p.iterNumber) || p.iterNumber < 1)
    throw new QuantizationSetupError(
      `${P}.iter_number must be a positive integer for AutoQ (the number of search episodes), got ${p.iterNumber}; NNCF's default 0 makes its DDPG agent fail the same way`,
    );
  if (!Number.isInteger(p.warmupIterNumber) || p.warmupIterNumber < 1)
    throw new QuantizationSetupError(`${P}.warmup_iter_number must be a positive integer (random episodes that fill the replay buffer), got ${p.warmupIterNumber}`);
  if (!(p.compressionRatio > 0)) throw new QuantizationSetupError(`${P}.compression_ratio must be > 0 (target model size / FP32 size), got ${p.compressionRatio}`);
  if (!(p.evalSubsetRatio > 0 && p.evalSubsetRatio <= 1)) throw new QuantizationSetupError(`${P}.eval_subset_ratio must be in (0, 1], got ${p.evalSubsetRatio}`);
  return p;
}

export interface AutoQRun {
  setup: QuantizerSpec[];
  bestReward: number;
  bestEpisode: number;
  pretrainedScore: number;
  sizeRatio: number;
  targetSizeRatio: number;
  warmupEpisodes: number;
  episodes: { episode: number; reward: number; score: number; sizeRatio: number; ms: number }[];
}

/** Candidates for evaluation: quantizers at given widths into `model`, and out again. */
export function autoqCandidateBuilder(
  model: CompressedModel,
  config: NNCFConfig,
  setup: readonly QuantizerSpec[],
  opts: ManualPrecisionOptions,
  services: QuantizationInitServices,
  init: { rangeSection: unknown; bnSamples: number },
): { applyBits: AutoQApplyBits; dispose(): void } {
  const stats = new Map<string, RangeStatisticInfo | null>();
  const rangeSkipped = init.rangeSection === undefined && !services.hasRangeInitData(config);
  const bn = init.bnSamples > 0 && model.graph.nodes.some((n) => n.opType === 'BatchNormalization');
  const snapshot = bn ? model.engine.weights().filter((w) => !w.trainable).map((w) => ({ name: w.name, value: model.engine.getWeight(w.name) })) : [];
  const applyBits: AutoQApplyBits = async (bits) => {
    const specs = setup.map((q, i) => withBits(model.graph, q, bits[i], opts));
    const mods: QuantizerModule[] = [];
    const restore = () => {
      model.removeCommands(OWNER);
      for (const m of mods) m.quantizer.dispose();
      for (const s of snapshot) model.engine.setWeight(s.name, s.value);
    };
    try {
      for (const p of specs) {
        const b = buildModule(p, model);
        mods.push(b.module);
        for (const c of b.commands) model.apply(c);
      }
      if (!rangeSkipped) {
        const targets = rangeTargets(mods, model);
        const key = (i: number) => JSON.stringify([targets[i].id, targets[i].mode, targets[i].channelAxis, specs[i].signed ?? null]);
        const missing = targets.filter((_, i) => !stats.has(key(i)));
        if (missing.length) {
          for (const m of mods) m.quantizer.enabled = false;
          try {
            const r = await services.collectRanges(model, config, init.rangeSection, missing);
            targets.forEach((t, i) => {
              if (!stats.has(key(i)) && missing.includes(t)) stats.set(key(i), r.stats.get(t.id) ?? null);
            });
          } finally {
            for (const m of mods) m.quantizer.enabled = true;
          }
        }
        mods.forEach((m, i) => {
          const s = stats.get(key(i));
          if (s) m.quantizer.applyMinMaxInit(s.min, s.max, m.placed.id);
        });
      }
      // evaluation needs no gradients: activation quantizers run the one-pass kernel
      setFastForward(mods, true);
      if (bn) await services.adaptBatchNorm(model, config, init.bnSamples);
    } catch (e) {
      restore();
      throw e;
    }
    return restore;
  };
  return {
    applyBits,
    dispose: () => {
      for (const s of snapshot) s.value.dispose();
    },
  };
}

/** Runs the search on a fresh build (no quantizer of this algorithm in `model` yet) and returns the chosen setup. */
export async function runAutoqPrecision(
  model: CompressedModel,
  config: NNCFConfig,
  precision: PrecisionInitSection,
  setup: readonly QuantizerSpec[],
  opts: ManualPrecisionOptions,
  services: QuantizationInitServices,
  init: { rangeSection: unknown; bnSamples: number },
): Promise<AutoQRun> {
  const device = config.normalizedTargetDevice;
  const p = autoqParams(precision, device);
  if (!services.autoqSearch)
    throw new QuantizationSetupError('AutoQ precision initialization is not connected: import createCompressedModel from src/api.ts (it wires the AutoQ search)');
  const env = new AutoQEnvironment(model.graph, setup, { hwConstrained: opts.hwConstrained, bits: p.bits, compressionRatio: p.compressionRatio, device });
  const candidates = autoqCandidateBuilder(model, config, setup, opts, services, init);
  let result;
  try {
    result = await services.autoqSearch(model, config, env, { iterNumber: p.iterNumber, warmupIterNumber: p.warmupIterNumber, evalSubsetRatio: p.evalSubsetRatio, seed: AUTOQ_SEED }, candidates.applyBits);
  } finally {
    candidates.dispose();
  }
  const chosen = setup.map((q, i) => withBits(model.graph, q, result.bits[i], opts));
  const best = result.episodes.find((e) => e.episode === result.bestEpisode);
  return {
    setup: chosen,
    bestReward: result.bestReward,
    bestEpisode: result.bestEpisode,
    pretrainedScore: result.pretrainedScore,
    sizeRatio: best?.sizeRatio ?? 0,
    targetSizeRatio: p.compressionRatio,
    warmupEpisodes: Math.min(p.warmupIterNumber, p.iterNumber),
    episodes: result.episodes.map(({ episode, reward, score, sizeRatio, ms }) => ({ episode, reward, score, sizeRatio, ms })),
  };
}
