/** Errors raised by the engine: unknown ops, bad feeds, unsupported attributes. Messages name the node or input. */
export class EngineError extends Error {
  override name = 'EngineError';
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const A = a.toLowerCase();
  const B = b.toLowerCase();
  const row = Array.from({ length: B.length + 1 }, (_, j) => j);
  for (let i = 1; i <= A.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= B.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (A[i - 1] === B[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[B.length];
}

export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}
