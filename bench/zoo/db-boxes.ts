/**
 * PP-OCR det (DB) outputs compared the simple, documented way: the probability map [1,1,H,W] is
 * thresholded at 0.3 (PaddleOCR's det_db_thresh), 4-connected components of the binary map become
 * axis-aligned boxes (components under `minArea` pixels are dropped, as DB drops boxes under min_size),
 * and two box sets are matched greedily by IoU ≥ 0.5 (highest IoU first): precision, recall, F1 and the
 * mean IoU of matched pairs. No unclip/polygon step: both models go through the same rule.
 */

export interface Box {
  x0: number;
  y0: number;
  /** Exclusive. */
  x1: number;
  y1: number;
}

/** Boxes of the 4-connected components of `prob > threshold` in a [h, w] map. */
export function dbBoxes(prob: ArrayLike<number>, h: number, w: number, threshold = 0.3, minArea = 10): Box[] {
  if (prob.length < h * w) throw new Error(`dbBoxes: map has ${prob.length} values, need ${h}×${w}`);
  const seen = new Uint8Array(h * w);
  const stack: number[] = [];
  const boxes: Box[] = [];
  for (let start = 0; start < h * w; start++) {
    if (seen[start] || !(prob[start] > threshold)) continue;
    seen[start] = 1;
    stack.push(start);
    let [x0, y0, x1, y1, area] = [w, h, 0, 0, 0];
    while (stack.length) {
      const p = stack.pop()!;
      const y = Math.floor(p / w);
      const x = p - y * w;
      area++;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x + 1);
      y1 = Math.max(y1, y + 1);
      const next = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1];
      for (const q of next)
        if (q >= 0 && !seen[q] && prob[q] > threshold) {
          seen[q] = 1;
          stack.push(q);
        }
    }
    if (area >= minArea) boxes.push({ x0, y0, x1, y1 });
  }
  return boxes;
}

export function iou(a: Box, b: Box): number {
  const iw = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const ih = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const inter = iw * ih;
  const area = (r: Box) => (r.x1 - r.x0) * (r.y1 - r.y0);
  return inter === 0 ? 0 : inter / (area(a) + area(b) - inter);
}

export interface BoxAgreement {
  reference: number;
  candidate: number;
  matched: number;
  /** Sum of the matched pairs' IoU (mean = iouSum / matched). */
  iouSum: number;
}

/** Greedy one-to-one matching at IoU ≥ `minIou`, best pairs first. */
export function matchBoxes(reference: readonly Box[], candidate: readonly Box[], minIou = 0.5): BoxAgreement {
  const pairs: { i: number; j: number; v: number }[] = [];
  reference.forEach((a, i) => candidate.forEach((b, j) => {
    const v = iou(a, b);
    if (v >= minIou) pairs.push({ i, j, v });
  }));
  pairs.sort((p, q) => q.v - p.v || p.i - q.i || p.j - q.j);
  const [ri, cj] = [new Set<number>(), new Set<number>()];
  let iouSum = 0;
  for (const p of pairs) {
    if (ri.has(p.i) || cj.has(p.j)) continue;
    ri.add(p.i);
    cj.add(p.j);
    iouSum += p.v;
  }
  return { reference: reference.length, candidate: candidate.length, matched: ri.size, iouSum };
}

/** Precision/recall/F1 of the candidate against the reference, summed over pages. */
export function agreementScores(all: readonly BoxAgreement[]): { precision: number; recall: number; f1: number; meanIou: number } {
  const s = all.reduce((a, b) => ({ reference: a.reference + b.reference, candidate: a.candidate + b.candidate, matched: a.matched + b.matched, iouSum: a.iouSum + b.iouSum }), { reference: 0, candidate: 0, matched: 0, iouSum: 0 });
  const precision = s.candidate ? s.matched / s.candidate : 1;
  const recall = s.reference ? s.matched / s.reference : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, meanIou: s.matched ? s.iouSum / s.matched : 0 };
}
