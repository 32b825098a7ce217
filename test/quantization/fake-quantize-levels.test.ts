import { describe, expect, it } from 'vitest';
import {
  QuantizerSpecError,
  asymmetricLevels,
  quantizerLevels,
  symmetricLevels,
} from '../../src/algorithms/quantization/fake-quantize/index.js';

describe('quantization levels (spec §1.1)', () => {
  it('symmetric signed / unsigned, full and narrow range', () => {
    expect(symmetricLevels(8, true)).toEqual({ levelLow: -128, levelHigh: 127, levels: 256 });
    expect(symmetricLevels(8, true, true)).toEqual({ levelLow: -127, levelHigh: 127, levels: 255 });
    expect(symmetricLevels(8, false)).toEqual({ levelLow: 0, levelHigh: 255, levels: 256 });
    expect(symmetricLevels(8, false, true)).toEqual({ levelLow: 0, levelHigh: 254, levels: 255 });
    expect(symmetricLevels(4, true)).toEqual({ levelLow: -8, levelHigh: 7, levels: 16 });
    expect(symmetricLevels(2, true, true)).toEqual({ levelLow: -1, levelHigh: 1, levels: 3 });
  });

  it('asymmetric full and narrow range', () => {
    expect(asymmetricLevels(8)).toEqual({ levelLow: 0, levelHigh: 255, levels: 256 });
    expect(asymmetricLevels(8, true)).toEqual({ levelLow: 1, levelHigh: 255, levels: 255 });
    expect(asymmetricLevels(16)).toEqual({ levelLow: 0, levelHigh: 65535, levels: 65536 });
  });

  it('half range (overflow fix) table of the test catalogue §2.8', () => {
    const q = (bits: number, mode: 'symmetric' | 'asymmetric', halfRange: boolean) =>
      quantizerLevels({ bits, mode, signed: true, narrowRange: false, halfRange });
    expect(q(8, 'symmetric', true)).toEqual({ levelLow: -64, levelHigh: 63, levels: 128 });
    expect(q(8, 'asymmetric', true)).toEqual({ levelLow: 0, levelHigh: 127, levels: 128 });
    expect(q(7, 'symmetric', true)).toEqual({ levelLow: -32, levelHigh: 31, levels: 64 });
    expect(q(4, 'symmetric', true)).toEqual({ levelLow: -4, levelHigh: 3, levels: 8 });
    expect(q(8, 'symmetric', false)).toEqual({ levelLow: -128, levelHigh: 127, levels: 256 });
  });

  it('narrow range is dropped under half range; asymmetric quantizers ignore it (NNCF torch)', () => {
    const base = { bits: 8, signed: true, narrowRange: true };
    expect(quantizerLevels({ ...base, mode: 'symmetric', halfRange: true }).levels).toBe(128);
    expect(quantizerLevels({ ...base, mode: 'symmetric', halfRange: false }).levels).toBe(255);
    expect(quantizerLevels({ ...base, mode: 'asymmetric', halfRange: false })).toEqual({
      levelLow: 0,
      levelHigh: 255,
      levels: 256,
    });
  });

  it('rejects bit widths that leave fewer than 2 effective bits or are not integers', () => {
    expect(() => symmetricLevels(1, true)).toThrow(QuantizerSpecError);
    expect(() => symmetricLevels(17, true)).toThrow(/\[2, 16\]/);
    expect(() => asymmetricLevels(2.5)).toThrow(QuantizerSpecError);
    expect(() =>
      quantizerLevels({ bits: 2, mode: 'symmetric', signed: true, narrowRange: false, halfRange: true }),
    ).toThrow(/got 1/);
  });
});
