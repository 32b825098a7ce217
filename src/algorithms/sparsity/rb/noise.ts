/**
 * The RB training noise logit(u), u ~ U(eps, 1 − eps), from a counter-based generator: draw k of layer j
 * is a pure function of (seed, j, k), so a resumed run that restores the draw counter draws the same
 * noise as an uninterrupted one, and the tfjs and ORT paths can be fed identical values.
 */
const EPS = 1e-6;

function mix(x: number): number {
  // splitmix32 finalizer
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** logit(clamp(u, eps, 1 − eps)) in float32 for `n` uniforms of draw `draw` of stream `stream`. */
export function rbNoise(seed: number, stream: number, draw: number, n: number): Float32Array {
  const out = new Float32Array(n);
  let state = mix(mix(mix(seed >>> 0) ^ stream) ^ draw);
  for (let i = 0; i < n; i++) {
    state = mix(state + i);
    const u = Math.fround((state >>> 8) / 16777216); // 24 random bits → [0, 1) exactly in float32
    const c = Math.fround(Math.min(Math.max(u, EPS), 1 - EPS));
    out[i] = Math.log(c / (1 - c));
  }
  return out;
}
