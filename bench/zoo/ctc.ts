/**
 * PP-OCR rec output decoding and scoring: greedy CTC (argmax per step, repeats merged, blank 0 dropped),
 * ids to characters (ppocr_keys_v1.txt, index i → line i−1, one past the last → space, as PaddleOCR's
 * CTCLabelDecode with use_space_char), and character accuracy = 1 − Σ edit distance / Σ reference length.
 */
import { readFileSync } from 'node:fs';

/** Greedy CTC decoding of one [steps, classes] probability (or logit) matrix. */
export function greedyCtc(probs: ArrayLike<number>, steps: number, classes: number, offset = 0): number[] {
  const ids: number[] = [];
  let prev = 0;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[row + c] > probs[row + best]) best = c;
    if (best !== 0 && best !== prev) ids.push(best);
    prev = best;
  }
  return ids;
}

/** Levenshtein distance between two sequences (characters or ids). */
export function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let x = 1; x <= a.length; x++) {
    let prev = d[0];
    d[0] = x;
    for (let y = 1; y <= b.length; y++) {
      const cur = d[y];
      d[y] = Math.min(d[y] + 1, d[y - 1] + 1, prev + (a[x - 1] === b[y - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

/** 1 − Σ edit(ref, hyp) / Σ |ref| over all lines (can be negative when hypotheses are much longer). */
export function characterAccuracy<T>(refs: readonly (readonly T[])[], hyps: readonly (readonly T[])[]): number {
  if (refs.length !== hyps.length) throw new Error(`characterAccuracy: ${refs.length} references, ${hyps.length} hypotheses`);
  const chars = refs.reduce((a, r) => a + r.length, 0);
  if (chars === 0) throw new Error('characterAccuracy: the references have no characters');
  return 1 - refs.reduce((a, r, k) => a + editDistance(r, hyps[k]), 0) / chars;
}

/** The id → character table of a PaddleOCR keys file: [blank, ...lines, ' ']. */
export function loadCtcAlphabet(keysPath: string): string[] {
  const keys = readFileSync(keysPath, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  while (keys.length && keys[keys.length - 1] === '') keys.pop();
  return ['', ...keys, ' '];
}

/** Ids to text; an id outside the alphabet is an error (the model and the keys file do not match). */
export function idsToText(ids: readonly number[], alphabet: readonly string[]): string {
  return ids.map((i) => {
    if (i <= 0 || i >= alphabet.length) throw new Error(`CTC id ${i} is outside the alphabet of ${alphabet.length} entries`);
    return alphabet[i];
  }).join('');
}
