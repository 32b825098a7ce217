import { describe, expect, it } from 'vitest';
import { axisPhases } from '../../src/engine/kernels/stride-phases.js';

describe('axisPhases (sub-pixel split of a strided input gradient)', () => {
  it('splits 3-tap stride 2 SAME into a 2-tap and a 1-tap phase covering every row once', () => {
    // H=32, k=3, s=2, SAME: pad top 0 (tfjs puts the odd pad at the end)
    const p = axisPhases(32, 16, 3, 2, 1, 0)!;
    expect(p.map((x) => x.taps)).toEqual([[2, 0], [1]]);
    expect(p.map((x) => [x.padBefore, x.padAfter, x.dilation])).toEqual([[1, 0, 1], [0, 0, 1]]);
    expect(p.reduce((a, x) => a + x.count, 0)).toBe(32);
    expect(p.reduce((a, x) => a + x.taps.length, 0)).toBe(3);
  });

  it('marks phases no tap reaches (1x1 stride 2) and refuses pads wider than the filter', () => {
    expect(axisPhases(8, 4, 1, 2, 1, 0)!.map((x) => x.taps)).toEqual([[0], []]);
    expect(axisPhases(8, 5, 1, 2, 1, 1)).toBeNull();
  });
});
