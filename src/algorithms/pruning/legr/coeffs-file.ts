/**
 * Ranking coefficients on disk in NNCF's format (json.dump of its ranking_coeffs dict): one entry per
 * pruned layer, `{"<node name>": [a, b], …}`. Written atomically (temp file + rename).
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { RankingCoeffs } from './evolution.js';

export class RankingCoeffsError extends Error {
  override name = 'RankingCoeffsError';
}

export function rankingCoeffsToJson(coeffs: RankingCoeffs): string {
  return JSON.stringify(Object.fromEntries([...coeffs].map(([k, [a, b]]) => [k, [a, b]])));
}

/**
 * Parses a coefficients file's text; every pruned layer of `layers` must have a pair of finite numbers.
 * Entries for layers the model does not prune are refused too (a file made for another model).
 */
export function rankingCoeffsFromJson(text: string, layers: readonly string[], source: string): Map<string, readonly [number, number]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RankingCoeffsError(`filter_pruning.params.load_ranking_coeffs_path: ${source} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RankingCoeffsError(`filter_pruning.params.load_ranking_coeffs_path: ${source} must hold an object {"<layer>": [a, b], …}`);
  const obj = raw as Record<string, unknown>;
  const out = new Map<string, readonly [number, number]>();
  for (const [k, v] of Object.entries(obj)) {
    if (!layers.includes(k))
      throw new RankingCoeffsError(`filter_pruning.params.load_ranking_coeffs_path: ${source} has coefficients for "${k}", which is not a pruned layer of this model (pruned: ${layers.join(', ')})`);
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw new RankingCoeffsError(`filter_pruning.params.load_ranking_coeffs_path: ${source}: "${k}" must be a pair of finite numbers [a, b], got ${JSON.stringify(v)}`);
    out.set(k, [v[0] as number, v[1] as number]);
  }
  const missing = layers.filter((l) => !out.has(l));
  if (missing.length > 0) throw new RankingCoeffsError(`filter_pruning.params.load_ranking_coeffs_path: ${source} has no coefficients for the pruned layer(s) ${missing.join(', ')}`);
  // in the model's layer order
  return new Map(layers.map((l) => [l, out.get(l)!]));
}

export function readRankingCoeffs(path: string, layers: readonly string[]): Map<string, readonly [number, number]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RankingCoeffsError(`filter_pruning.params.load_ranking_coeffs_path: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return rankingCoeffsFromJson(text, layers, path);
}

export function writeRankingCoeffs(path: string, coeffs: RankingCoeffs): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, rankingCoeffsToJson(coeffs));
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new RankingCoeffsError(`filter_pruning.params.save_ranking_coeffs_path: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
