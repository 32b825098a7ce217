/**
 * The widths a pruning group can take under BootstrapNAS's elastic width (NNCF's
 * ElasticOutputWidthOp._generate_width_list), reproduced rule for rule:
 * - max ≤ min_width: only the max;
 * - without width_multipliers: max, max − step, max − 2·step, … while ≥ min_width, at most
 *   max_num_widths of them (−1: no limit);
 * - with width_multipliers (sorted descending): the max first when the largest multiplier is < 1, then per
 *   multiplier int(max·m) rounded down to a multiple of 8, raised to min_width, duplicates skipped,
 *   stopping once max_num_widths are listed. (A multiplier of 1 with a max that is not a multiple of 8
 *   therefore lists a width below the max and not the max itself — as NNCF does.)
 */
export class ElasticWidthError extends Error {
  override name = 'ElasticWidthError';
}

export interface WidthListParams {
  /** NNCF default 32. */
  min_width?: number;
  /** NNCF default −1 (no limit). */
  max_num_widths?: number;
  /** NNCF default 32. */
  width_step?: number;
  width_multipliers?: readonly number[];
}

const ALIGNMENT_FOR_MULTIPLIERS = 8;

export function elasticWidthList(maxWidth: number, p: WidthListParams = {}): number[] {
  const minWidth = p.min_width ?? 32;
  const maxNum = p.max_num_widths ?? -1;
  const step = p.width_step ?? 32;
  if (!Number.isInteger(maxWidth) || maxWidth < 1) throw new ElasticWidthError(`elastic width: a layer's width must be a positive integer, got ${maxWidth}`);
  const list: number[] = [];
  if (maxWidth <= minWidth) return [maxWidth];
  if (!p.width_multipliers || p.width_multipliers.length === 0) {
    if (!(step > 0)) throw new ElasticWidthError(`bootstrapNAS.training.elasticity.width.width_step must be positive, got ${step}`);
    list.push(maxWidth);
    for (let w = maxWidth - step; w >= minWidth; w -= step) {
      if (list.length === maxNum) break;
      list.push(w);
    }
    return list;
  }
  const multipliers = [...p.width_multipliers].sort((a, b) => b - a);
  for (const m of multipliers)
    if (!(m > 0 && m <= 1)) throw new ElasticWidthError(`bootstrapNAS.training.elasticity.width.width_multipliers: ${m} is not in (0, 1]`);
  if (multipliers[0] < 1) list.push(maxWidth);
  for (const m of multipliers) {
    if (list.length === maxNum) break;
    let w = Math.trunc(maxWidth * m);
    w -= w % ALIGNMENT_FOR_MULTIPLIERS;
    w = Math.max(w, minWidth);
    if (!list.includes(w)) list.push(w);
  }
  return list;
}
