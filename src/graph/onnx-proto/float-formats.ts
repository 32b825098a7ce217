/**
 * Bit-exact conversions between float32 and the narrow float formats ONNX stores (float16, bfloat16,
 * float8 variants). Decoding is exact; encoding rounds to nearest even, so decode→encode is the identity.
 * NaN payloads of float16/bfloat16 are kept because we work on bit patterns, not JS numbers.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function float16BitsToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return sign | 0x7f800000 | (mant << 13);
  if (exp !== 0) return sign | ((exp + 112) << 23) | (mant << 13);
  if (mant === 0) return sign;
  // Subnormal: normalise the mantissa.
  let e = 113;
  let m = mant;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return sign | (e << 23) | ((m & 0x3ff) << 13);
}

export function float32BitsToFloat16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? (mant >>> 13) | (mant >>> 13 === 0 ? 1 : 0) : 0);
  const e = exp - 112;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    if (rem > half || (rem === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1))) r++;
  return sign | r;
}

export function bfloat16BitsToFloat32Bits(b: number): number {
  return (b << 16) >>> 0;
}

export function float32BitsToBfloat16Bits(x: number): number {
  // NaN: keep the payload bits that fit; set a mantissa bit only if truncation would make it infinity.
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) & 0x7f ? x >>> 16 : (x >>> 16) | 0x40;
  const rounding = 0x7fff + ((x >>> 16) & 1);
  return ((x + rounding) >>> 16) & 0xffff;
}

type Float8Kind = 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz';

function decodeFloat8(byte: number, kind: Float8Kind): number {
  const e4 = kind === 'float8e4m3fn' || kind === 'float8e4m3fnuz';
  const fnuz = kind.endsWith('fnuz');
  const mantBits = e4 ? 3 : 2;
  const bias = (e4 ? 7 : 15) + (fnuz ? 1 : 0);
  if (fnuz && byte === 0x80) return NaN;
  const sign = byte & 0x80 ? -1 : 1;
  const exp = (byte & 0x7f) >> mantBits;
  const mant = byte & ((1 << mantBits) - 1);
  if (kind === 'float8e4m3fn' && (byte & 0x7f) === 0x7f) return NaN;
  if (kind === 'float8e5m2' && exp === 0x1f) return mant ? NaN : sign * Infinity;
  if (exp === 0) return sign * mant * 2 ** (1 - bias - mantBits);
  return sign * (1 + mant / (1 << mantBits)) * 2 ** (exp - bias);
}

const F8_TABLES = new Map<Float8Kind, Float32Array>();
function table(kind: Float8Kind): Float32Array {
  let t = F8_TABLES.get(kind);
  if (!t) {
    t = new Float32Array(256);
    for (let i = 0; i < 256; i++) t[i] = decodeFloat8(i, kind);
    F8_TABLES.set(kind, t);
  }
  return t;
}

export function float8ToFloat32(byte: number, kind: Float8Kind): number {
  return table(kind)[byte & 0xff];
}

/** Nearest float8 code (ties to even code), saturating to the largest finite value. */
export function float32ToFloat8(v: number, kind: Float8Kind): number {
  const t = table(kind);
  if (Number.isNaN(v)) return kind.endsWith('fnuz') ? 0x80 : 0x7f;
  let best = 0;
  let bestErr = Infinity;
  for (let i = 0; i < 256; i++) {
    const c = t[i];
    if (!Number.isFinite(c)) continue;
    if (Object.is(c, v)) return i;
    const err = Math.abs(c - v);
    if (err < bestErr || (err === bestErr && (i & 1) === 0)) {
      best = i;
      bestErr = err;
    }
  }
  if (kind === 'float8e5m2' && !Number.isFinite(v)) return v > 0 ? 0x7c : 0xfc;
  return best;
}

export function float32Bits(v: number): number {
  f32[0] = v;
  return u32[0];
}
