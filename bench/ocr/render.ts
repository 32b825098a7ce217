/**
 * Renders one text line with Skia (@napi-rs/canvas) the way a detector crop looks: a tight box with a
 * small margin, text slightly slanted/rotated, a light or dark background with slight colour jitter and
 * varied contrast, sometimes blurred or cut at the top/bottom. The text is drawn as a coverage mask and
 * composed, blurred and quantized in JS; all randomness comes from one fork of the caller's seeded `rng`
 * (so the caller's stream advances by a fixed amount per line). Rotation by 180° is exact: the pixel order
 * of the upright image reversed.
 */
import { createCanvas } from '@napi-rs/canvas';
import type { Random } from '../../src/data/index.js';

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA bytes, row-major. */
  data: Uint8Array;
}

const uniform = (rng: Random, lo: number, hi: number) => lo + (hi - lo) * rng.float();

/**
 * Look of the crops, chosen to bring the per-channel statistics at the classifier's 35 BatchNorm inputs
 * closer to the running statistics stored in the model (its training crops + RecAug/RandAugment: lower,
 * varied contrast, ~40 % inverted, blurred, cut at top/bottom, slanted), measured with
 * `npm run bench:ocr-bn-mismatch` (mean |log var ratio| over the 35 BNs 0.239 → 0.198, 500 samples). Sizes in gray
 * levels; the blur sigma in source pixels.
 */
const K = {
  sizeLo: 22, sizeHi: 46,         // font size (px)
  padXLo: 0.05, padXHi: 0.4,      // margins, in font sizes (detector crops are tight)
  padYLo: 0.02, padYHi: 0.2,
  shear: 0.25, rot: 3,            // max |x-shear| and |rotation| (degrees) of the text
  darkP: 0.45,                    // share of light text on a dark background
  bgLo: 150, bgHi: 255,           // light background level (dark: 255 − that)
  cLo: 50, cHi: 220,              // text contrast |fg − bg| (clamped to 0…255)
  tint: 15,                       // background colour jitter per channel
  blurP: 0.4, blurSigma: 1,       // with probability blurP, a Gaussian blur of blurSigma source px
  cropP: 0.4, cropMax: 8,         // with probability cropP, 1…cropMax px cut off the top or the bottom
} as const;
// Tried and left out (no better statistics or agreement): additive noise, background gradients and
// texture, uneven lighting, coloured text, horizontal squeeze, lower contrast, wider margins.

function gaussKernel(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** Separable Gaussian blur of a planar float image (edges clamped). */
function blur(p: Float32Array, w: number, h: number, sigma: number): void {
  if (sigma < 0.05) return;
  const k = gaussKernel(sigma);
  const r = (k.length - 1) >> 1;
  const tmp = new Float32Array(p.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * p[y * w + Math.min(w - 1, Math.max(0, x + i))];
      tmp[y * w + x] = s;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
      p[y * w + x] = s;
    }
}

export function renderLine(text: string, family: string, rng0: Random): RgbaImage {
  const rng = rng0.fork();
  const size = Math.round(uniform(rng, K.sizeLo, K.sizeHi));
  const font = `${size}px "${family}"`;
  const probe = createCanvas(8, 8).getContext('2d');
  probe.font = font;
  const m = probe.measureText(text);
  const ascent = Math.max(m.actualBoundingBoxAscent, size * 0.7);
  const descent = Math.max(m.actualBoundingBoxDescent, size * 0.15);
  const padX = Math.round(uniform(rng, K.padXLo, K.padXHi) * size);
  const padY = Math.round(uniform(rng, K.padYLo, K.padYHi) * size);
  const width = Math.max(8, Math.ceil(m.width) + 2 * padX);
  const height = Math.ceil(ascent + descent) + 2 * padY;

  // text coverage mask
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#000';
  g.fillRect(0, 0, width, height);
  g.fillStyle = '#fff';
  g.font = font;
  g.textBaseline = 'alphabetic';
  const sh = uniform(rng, -K.shear, K.shear);
  const th = (uniform(rng, -K.rot, K.rot) * Math.PI) / 180;
  // about the line centre: rotate(th) · shearX(sh)
  const cos = Math.cos(th), sin = Math.sin(th);
  g.setTransform(cos, sin, cos * sh - sin, sin * sh + cos, width / 2, padY + (ascent + descent) / 2);
  g.fillText(text, -m.width / 2, (ascent - descent) / 2);
  const mask = g.getImageData(0, 0, width, height).data;

  const dark = rng.float() < K.darkP;
  const bg = dark ? uniform(rng, 0, 255 - K.bgLo) : uniform(rng, K.bgLo, K.bgHi);
  const c = uniform(rng, K.cLo, K.cHi);
  const fg = dark ? Math.min(255, bg + c) : Math.max(0, bg - c);
  const bgc = [0, 1, 2].map(() => bg + uniform(rng, -K.tint, K.tint));
  const n = width * height;
  const planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    const a = mask[4 * i] / 255;
    for (let ch = 0; ch < 3; ch++) planes[ch][i] = (1 - a) * bgc[ch] + a * fg;
  }
  if (rng.float() < K.blurP) for (const p of planes) blur(p, width, height, K.blurSigma);
  const data = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) data[4 * i + ch] = Math.round(Math.min(255, Math.max(0, planes[ch][i])));
    data[4 * i + 3] = 255;
  }
  if (rng.float() < K.cropP) {
    const cut = Math.min(height - 1, 1 + rng.int(K.cropMax));
    const top = rng.float() < 0.5;
    const h2 = height - cut;
    return { width, height: h2, data: data.slice(top ? 4 * cut * width : 0, top ? 4 * n : 4 * h2 * width) };
  }
  return { width, height, data };
}

/** The image turned by 180° (exact: pixel i ↔ pixel n−1−i). */
export function rotate180(img: RgbaImage): RgbaImage {
  const n = img.width * img.height;
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < n; i++) out.set(img.data.subarray(4 * i, 4 * i + 4), 4 * (n - 1 - i));
  return { width: img.width, height: img.height, data: out };
}
