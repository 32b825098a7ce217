import type { Dim } from '../types.js';
import type { ShapeContext } from './context.js';

/** Normalises a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number, ctx?: ShapeContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) ctx?.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Product of dims; a single symbolic dim times ones stays symbolic (Flatten of [N, C…] keeps N). */
export function product(dims: Dim[]): Dim {
  let p = 1;
  const symbolic = dims.filter((d) => typeof d !== 'number');
  for (const d of dims) if (typeof d === 'number') p *= d;
  if (symbolic.length === 0) return p;
  return symbolic.length === 1 && p === 1 ? symbolic[0] : null;
}

/** Numpy-style broadcasting of two shapes; unknown where it cannot be decided. */
export function broadcast(a: Dim[], b: Dim[], ctx?: ShapeContext): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x === y) out.push(x);
    else if (typeof x === 'number' && typeof y === 'number') {
      if (ctx) ctx.fail(`cannot broadcast [${a}] with [${b}]`);
      out.push(null);
    }
    else out.push(typeof x === 'number' ? x : typeof y === 'number' ? y : x ?? y);
  }
  return out;
}

export function broadcastAll(shapes: (Dim[] | null)[], ctx?: ShapeContext): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  return (shapes as Dim[][]).reduce((acc, s) => broadcast(acc, s, ctx));
}

/** Arithmetic on dims that may be symbolic: exact for numbers, otherwise a readable expression or null. */
export function dimOp(a: Dim, b: Dim, op: '+' | '-' | '*' | '/'): Dim {
  if (typeof a === 'number' && typeof b === 'number') {
    if (op === '+') return a + b;
    if (op === '-') return a - b;
    if (op === '*') return a * b;
    return Math.trunc(a / b);
  }
  if (op === '*' && (a === 1 || b === 1)) return a === 1 ? b : a;
  if ((op === '/' && b === 1) || ((op === '+' || op === '-') && b === 0)) return a;
  return null;
}
