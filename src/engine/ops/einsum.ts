import * as tf from '@tensorflow/tfjs-core';
import { defineOp } from '../registry.js';

/**
 * Einsum by broadcasting: take diagonals for repeated letters, align every operand to one global
 * letter order (size-1 axes for absent letters), multiply, sum the letters not in the output.
 */
function parse(eq: string, ranks: number[]): { ins: string[]; out: string } {
  const [lhs, rhs] = eq.replace(/\s/g, '').split('->');
  const ins = lhs.split(',');
  const used = new Set(eq.replace(/[^a-zA-Z]/g, ''));
  const free = 'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba'.split('').filter((c) => !used.has(c));
  const ellRank = Math.max(0, ...ins.map((s, i) => (s.includes('...') ? ranks[i] - (s.length - 3) : 0)));
  const ell = free.slice(0, ellRank).reverse().join('');
  const expand = (s: string, rank?: number) => {
    if (!s.includes('...')) return s;
    const n = rank === undefined ? ellRank : rank - (s.length - 3);
    return s.replace('...', ell.slice(ell.length - n));
  };
  const expanded = ins.map((s, i) => expand(s, ranks[i]));
  let out: string;
  if (rhs !== undefined) out = expand(rhs);
  else {
    // Implicit output: ellipsis letters, then letters used once, alphabetically.
    const counts = new Map<string, number>();
    for (const s of ins.map((t) => t.replace('...', ''))) for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
    out = ell + [...counts].filter(([, n]) => n === 1).map(([c]) => c).sort().join('');
  }
  return { ins: expanded, out };
}

/** Removes repeated letters from one operand by taking diagonals. */
function diagonalize(t: tf.Tensor, letters: string): [tf.Tensor, string] {
  for (let i = 0; i < letters.length; i++) {
    const j = letters.indexOf(letters[i], i + 1);
    if (j < 0) continue;
    const n = t.shape[i];
    const eyeShape = t.shape.map((_, k) => (k === i || k === j ? n : 1));
    const masked = tf.mul(t, tf.reshape(tf.eye(n), eyeShape));
    return diagonalize(tf.sum(masked, j), letters.slice(0, j) + letters.slice(j + 1));
  }
  return [t, letters];
}

defineOp('Einsum', (inputs, ctx) => {
  const xs = inputs.filter((t): t is tf.Tensor => !!t);
  const { ins, out } = parse(ctx.string('equation', ''), xs.map((x) => x.rank));
  const ops = xs.map((x, i) => diagonalize(x, ins[i]));
  const all = [...new Set([...out, ...ops.flatMap(([, l]) => [...l])])];
  const sizes = new Map<string, number>();
  ops.forEach(([t, l]) => [...l].forEach((c, k) => sizes.set(c, Math.max(sizes.get(c) ?? 1, t.shape[k]))));
  let prod: tf.Tensor | undefined;
  for (const [t, l] of ops) {
    const present = all.filter((c) => l.includes(c));
    const moved = present.length > 1 ? tf.transpose(t, present.map((c) => l.indexOf(c))) : t;
    const aligned = tf.reshape(moved, all.map((c) => (l.includes(c) ? t.shape[l.indexOf(c)] : 1)));
    prod = prod ? tf.mul(prod, aligned) : aligned;
  }
  const sumAxes = all.map((c, k) => (out.includes(c) ? -1 : k)).filter((k) => k >= 0);
  let y = sumAxes.length ? tf.sum(prod!, sumAxes) : prod!;
  const kept = all.filter((c) => out.includes(c));
  const perm = [...out].map((c) => kept.indexOf(c));
  if (perm.some((p, k) => p !== k)) y = tf.transpose(y, perm);
  return tf.reshape(y, [...out].map((c) => sizes.get(c) ?? 1));
});
