/**
 * Renders one text line with Skia (@napi-rs/canvas) the way a detector crop looks: a tight box with a
 * small margin, a light or (sometimes) dark plain background, slight colour jitter. Rotation by 180° is
 * exact: the pixel order of the upright image reversed.
 *
 * A variant closer to PaddleOCR's augmented training crops (45% inverted, varied contrast, slant, blur,
 * top/bottom cuts) brought the classifier's BatchNorm input statistics nearer its running statistics
 * (`npm run bench:ocr-bn-mismatch`: mean |log var ratio| 0.239 → 0.198) but lowered what BN adaptation
 * on it keeps: INT8 default-config agreement with FP32 98.90–99.15% instead of 99.05–99.30% over four
 * calibration seeds (`npm run bench:ocr-default-config`). So this plain rendering stays.
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

export function renderLine(text: string, family: string, rng: Random): RgbaImage {
  const size = Math.round(uniform(rng, 22, 46));
  const font = `${size}px "${family}"`;
  const probe = createCanvas(8, 8).getContext('2d');
  probe.font = font;
  const m = probe.measureText(text);
  const ascent = Math.max(m.actualBoundingBoxAscent, size * 0.7);
  const descent = Math.max(m.actualBoundingBoxDescent, size * 0.15);
  const padX = Math.round(uniform(rng, 0.1, 0.6) * size);
  const padY = Math.round(uniform(rng, 0.08, 0.3) * size);
  const width = Math.max(8, Math.ceil(m.width) + 2 * padX);
  const height = Math.ceil(ascent + descent) + 2 * padY;

  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  const dark = rng.int(6) === 0;
  const bg = dark ? uniform(rng, 0, 70) : uniform(rng, 180, 255);
  const fg = dark ? uniform(rng, 190, 255) : uniform(rng, 0, 90);
  const tint = () => Math.round(Math.min(255, Math.max(0, bg + uniform(rng, -15, 15))));
  g.fillStyle = `rgb(${tint()},${tint()},${tint()})`;
  g.fillRect(0, 0, width, height);
  const f = Math.round(fg);
  g.fillStyle = `rgb(${f},${f},${Math.round(Math.min(255, fg + uniform(rng, 0, 40)))})`;
  g.font = font;
  g.textBaseline = 'alphabetic';
  g.fillText(text, padX, padY + ascent);
  const img = g.getImageData(0, 0, width, height);
  return { width, height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
}

/** The image turned by 180° (exact: pixel i ↔ pixel n−1−i). */
export function rotate180(img: RgbaImage): RgbaImage {
  const n = img.width * img.height;
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < n; i++) out.set(img.data.subarray(4 * i, 4 * i + 4), 4 * (n - 1 - i));
  return { width: img.width, height: img.height, data: out };
}
