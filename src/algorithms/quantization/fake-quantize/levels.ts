/**
 * Integer level ranges of a quantizer, exactly as NNCF computes them (spec/algorithms.md §1.1).
 * Pure numbers: no tensors here, so placement, export and reports can share them.
 */

export type QuantizationMode = 'symmetric' | 'asymmetric';

export interface LevelRange {
  levelLow: number;
  levelHigh: number;
  /** levelHigh - levelLow + 1 */
  levels: number;
}

export class QuantizerSpecError extends Error {
  override name = 'QuantizerSpecError';
}

function checkBits(bits: number): void {
  // Fewer than 2 effective bits leaves a signed grid with level_high = 0 (division by zero in §1.2).
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new QuantizerSpecError(`effective bit width must be an integer in [2, 16], got ${bits}`);
  }
}

/** NNCF `calculate_symmetric_level_ranges(num_bits, signed, narrow_range)`. */
export function symmetricLevels(bits: number, signed: boolean, narrowRange = false): LevelRange {
  checkBits(bits);
  const n = 2 ** bits;
  let levelLow = signed ? -(n / 2) : 0;
  let levelHigh = signed ? n / 2 - 1 : n - 1;
  if (narrowRange) {
    if (levelLow < 0) levelLow += 1;
    else levelHigh -= 1;
  }
  return { levelLow, levelHigh, levels: levelHigh - levelLow + 1 };
}

/** NNCF `calculate_asymmetric_level_ranges(num_bits, narrow_range)`. */
export function asymmetricLevels(bits: number, narrowRange = false): LevelRange {
  checkBits(bits);
  const levelHigh = 2 ** bits - 1;
  const levelLow = narrowRange ? 1 : 0;
  return { levelLow, levelHigh, levels: levelHigh - levelLow + 1 };
}

export interface LevelOptions {
  bits: number;
  mode: QuantizationMode;
  signed: boolean;
  narrowRange: boolean;
  halfRange: boolean;
}

/**
 * Levels a quantizer actually uses. Half range (overflow fix) takes one bit away and excludes
 * narrow range. Asymmetric quantizers ignore narrow range, as NNCF's torch AsymmetricQuantizer
 * does (its set_levels never passes narrow_range); the builder never asks for it anyway.
 */
export function quantizerLevels(o: LevelOptions): LevelRange {
  const bits = o.halfRange ? o.bits - 1 : o.bits;
  const narrow = o.narrowRange && !o.halfRange;
  return o.mode === 'symmetric' ? symmetricLevels(bits, o.signed, narrow) : asymmetricLevels(bits);
}
