/** The det bench's DB post-processing and box matching, on hand-made maps with hand-computed results. */
import { describe, expect, it } from 'vitest';
import { agreementScores, dbBoxes, iou, matchBoxes } from '../../bench/zoo/db-boxes.js';

describe('dbBoxes', () => {
  it('4-connected components over the threshold, as half-open boxes; small ones dropped', () => {
    // 4×6 map: a 2×3 block (top left), a diagonal pair (two 1-pixel components), a 0.3 that is not > 0.3
    const m = [
      0.9, 0.8, 0.7, 0, 0, 0.31,
      0.9, 0.8, 0.7, 0, 0, 0,
      0, 0, 0, 0.5, 0, 0,
      0, 0, 0, 0, 0.5, 0.3,
    ];
    expect(dbBoxes(m, 4, 6, 0.3, 1)).toEqual([
      { x0: 0, y0: 0, x1: 3, y1: 2 },
      { x0: 5, y0: 0, x1: 6, y1: 1 },
      { x0: 3, y0: 2, x1: 4, y1: 3 },
      { x0: 4, y0: 3, x1: 5, y1: 4 },
    ]);
    expect(dbBoxes(m, 4, 6, 0.3, 2)).toEqual([{ x0: 0, y0: 0, x1: 3, y1: 2 }]);
    expect(() => dbBoxes([1, 2], 2, 2)).toThrow('map has 2 values, need 2×2');
  });
});

describe('matching', () => {
  it('IoU, greedy one-to-one matching at 0.5 and P/R/F1 summed over pages', () => {
    const a = { x0: 0, y0: 0, x1: 10, y1: 10 };
    const b = { x0: 0, y0: 0, x1: 10, y1: 8 }; // IoU 80/100
    const c = { x0: 5, y0: 0, x1: 15, y1: 10 }; // IoU with a: 50/150
    expect(iou(a, b)).toBeCloseTo(0.8, 12);
    expect(iou(a, c)).toBeCloseTo(1 / 3, 12);
    expect(iou(a, { x0: 10, y0: 0, x1: 12, y1: 2 })).toBe(0);
    const page1 = matchBoxes([a], [c, b]); // b matches, c is extra
    expect(page1).toEqual({ reference: 1, candidate: 2, matched: 1, iouSum: 0.8 });
    const page2 = matchBoxes([a, c], []); // two missed
    const s = agreementScores([page1, page2]);
    expect(s.precision).toBeCloseTo(1 / 2, 12);
    expect(s.recall).toBeCloseTo(1 / 3, 12);
    expect(s.f1).toBeCloseTo(0.4, 12);
    expect(s.meanIou).toBeCloseTo(0.8, 12);
    expect(agreementScores([matchBoxes([], [])])).toEqual({ precision: 1, recall: 1, f1: 1, meanIou: 0 });
  });
});
