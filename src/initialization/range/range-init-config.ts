/**
 * `initializer.range` of the quantization config → the range-init config of each quantizer
 * (NNCF RangeInitConfig / PerLayerRangeInitConfig / PTRangeInitParams, config-reference §4.1).
 */
import { RANGE_INIT_TYPES, RangeStatisticsError, type RangeInitType } from './types.js';

export const DEFAULT_NUM_INIT_SAMPLES = 256;
export const DEFAULT_RANGE_INIT_TYPE: RangeInitType = 'mixed_min_max';

export type QuantizerGroupName = 'weights' | 'activations';

export interface RangeInitConfig {
  type: RangeInitType;
  numInitSamples: number;
  params: Record<string, unknown>;
}

export interface PerLayerRangeInitConfig extends RangeInitConfig {
  targetScopes: string[] | null;
  ignoredScopes: string[] | null;
  /** null = applies to both groups. */
  targetGroup: QuantizerGroupName | null;
}

export interface RangeInitParams {
  global: RangeInitConfig | null;
  perLayer: PerLayerRangeInitConfig[];
  /** Max num_init_samples over all entries; 0 means range init is skipped. */
  maxNumInitSamples: number;
}

type Json = Record<string, unknown>;

function parseBase(d: Json, where: string): RangeInitConfig {
  const n = d.num_init_samples ?? DEFAULT_NUM_INIT_SAMPLES;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new RangeStatisticsError(`${where}.num_init_samples: Number of initialization samples must be >= 0, got ${JSON.stringify(n)}`);
  }
  const type = d.type ?? DEFAULT_RANGE_INIT_TYPE;
  if (!RANGE_INIT_TYPES.includes(type as RangeInitType)) {
    throw new RangeStatisticsError(`${where}.type: unknown range init type ${JSON.stringify(type)}; expected one of ${RANGE_INIT_TYPES.join(', ')}`);
  }
  const params = d.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new RangeStatisticsError(`${where}.params must be an object`);
  }
  return { type: type as RangeInitType, numInitSamples: n, params: params as Json };
}

function scopeList(v: unknown, where: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw new RangeStatisticsError(`${where} must be a string or an array of strings`);
}

/**
 * Parses `initializer.range` (object or array). An absent/empty section means defaults
 * (256 samples of mixed_min_max) — the caller decides whether a data source exists.
 */
export function parseRangeInitParams(range: unknown, where = 'initializer.range'): RangeInitParams {
  const empty = range === undefined || range === null || (typeof range === 'object' && Object.keys(range).length === 0);
  if (empty) return { global: parseBase({}, where), perLayer: [], maxNumInitSamples: DEFAULT_NUM_INIT_SAMPLES };
  if (Array.isArray(range)) {
    const perLayer = range.map((e, i): PerLayerRangeInitConfig => {
      const at = `${where}[${i}]`;
      if (typeof e !== 'object' || e === null) throw new RangeStatisticsError(`${at} must be an object`);
      const d = e as Json;
      const targetScopes = scopeList(d.target_scopes, `${at}.target_scopes`);
      const ignoredScopes = scopeList(d.ignored_scopes, `${at}.ignored_scopes`);
      if (targetScopes === null && ignoredScopes === null) {
        throw new RangeStatisticsError(`${at}: At least one of the (target_scopes, ignored_scopes) should be specified for a per-layer range init config!`);
      }
      const g = d.target_quantizer_group ?? null;
      if (g !== null && g !== 'weights' && g !== 'activations') {
        throw new RangeStatisticsError(`${at}.target_quantizer_group must be "weights" or "activations", got ${JSON.stringify(g)}`);
      }
      return { ...parseBase(d, at), targetScopes, ignoredScopes, targetGroup: g };
    });
    return { global: null, perLayer, maxNumInitSamples: Math.max(0, ...perLayer.map((p) => p.numInitSamples)) };
  }
  if (typeof range !== 'object') throw new RangeStatisticsError(`${where} must be an object or an array`);
  const global = parseBase(range as Json, where);
  return { global, perLayer: [], maxNumInitSamples: global.numInitSamples };
}

/** NNCF matches_any (config-reference §3): exact name, or a `{re}` pattern (all `{re}` removed) searched anywhere. */
export function matchesAnyScope(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.includes('{re}') ? new RegExp(p.replaceAll('{re}', '')).test(name) : p === name));
}

/**
 * The config of one quantizer (id like `conv1|WEIGHT`): exactly one matching per-layer entry,
 * else the global config; no match without a global config, or several matches, is an error.
 */
export function rangeInitConfigFor(
  p: RangeInitParams,
  quantizerId: string,
  group: QuantizerGroupName,
  matches: (name: string, patterns: readonly string[]) => boolean = matchesAnyScope,
): RangeInitConfig {
  const hits = p.perLayer.filter(
    (e) =>
      (e.targetGroup === null || e.targetGroup === group) &&
      (e.targetScopes === null || matches(quantizerId, e.targetScopes)) &&
      !(e.ignoredScopes !== null && matches(quantizerId, e.ignoredScopes)),
  );
  if (hits.length > 1) {
    throw new RangeStatisticsError(`Location ${quantizerId} matches more than one per-layer initialization parameter definition!`);
  }
  const hit = hits[0] ?? p.global;
  if (!hit) throw new RangeStatisticsError(`Location ${quantizerId} does not match any per-layer initialization parameter definition!`);
  return { type: hit.type, numInitSamples: hit.numInitSamples, params: { ...hit.params } };
}
