/**
 * Generated inputs for the PP-OCR direction classifier ([N,3,48,192], (x/255-0.5)/0.5). No text
 * renderer is available, so text lines are drawn with a built-in 5×9 bitmap font (upper case, and
 * lower case with ascenders/descenders) scaled 3× wide and 4× high, random words on a light noisy background with
 * dark ink; half of the lines are rotated by 180°, which is what the model tells apart.
 */
import { Random } from '../../src/data/index.js';

export const OCR_CLS = '.cache/data/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx';
const H = 48;
const W = 192;

// 9 rows per glyph (0-6 cap height, 7-8 descender), 5 bits per row.
const FONT: Record<string, string> = {
  A: '01110 10001 10001 11111 10001 10001 10001 00000 00000', E: '11111 10000 10000 11110 10000 10000 11111 00000 00000',
  F: '11111 10000 10000 11110 10000 10000 10000 00000 00000', H: '10001 10001 10001 11111 10001 10001 10001 00000 00000',
  L: '10000 10000 10000 10000 10000 10000 11111 00000 00000', P: '11110 10001 10001 11110 10000 10000 10000 00000 00000',
  R: '11110 10001 10001 11110 10100 10010 10001 00000 00000', T: '11111 00100 00100 00100 00100 00100 00100 00000 00000',
  K: '10001 10010 10100 11000 10100 10010 10001 00000 00000', Y: '10001 10001 01010 00100 00100 00100 00100 00000 00000',
  a: '00000 00000 01110 00001 01111 10001 01111 00000 00000', b: '10000 10000 10110 11001 10001 10001 11110 00000 00000',
  c: '00000 00000 01110 10000 10000 10001 01110 00000 00000', d: '00001 00001 01101 10011 10001 10001 01111 00000 00000',
  e: '00000 00000 01110 10001 11111 10000 01110 00000 00000', g: '00000 00000 01111 10001 10001 01111 00001 00001 01110',
  h: '10000 10000 10110 11001 10001 10001 10001 00000 00000', l: '01100 00100 00100 00100 00100 00100 01110 00000 00000',
  n: '00000 00000 10110 11001 10001 10001 10001 00000 00000', o: '00000 00000 01110 10001 10001 10001 01110 00000 00000',
  p: '00000 00000 11110 10001 10001 11110 10000 10000 10000', r: '00000 00000 10110 11001 10000 10000 10000 00000 00000',
  s: '00000 00000 01111 10000 01110 00001 11110 00000 00000', t: '00100 00100 01110 00100 00100 00101 00010 00000 00000',
  u: '00000 00000 10001 10001 10001 10011 01101 00000 00000', y: '00000 00000 10001 10001 10001 01111 00001 00001 01110',
};
const UPPER = 'AEFHLPRTKY';
const LOWER = 'abcdeghlnoprstuy';
const GLYPHS = Object.fromEntries(Object.entries(FONT).map(([k, v]) => [k, v.split(' ').map((r) => [...r].map(Number))]));

export function ocrSamples(n: number, seed: number): { data: Float32Array; shape: number[]; rotated: Uint8Array } {
  const rnd = new Random(seed);
  const u = () => rnd.float();
  const data = new Float32Array(n * 3 * H * W);
  const rotated = new Uint8Array(n);
  const img = new Float32Array(H * W);
  for (let s = 0; s < n; s++) {
    const bg = 190 + 60 * u();
    const ink = 10 + 70 * u();
    for (let i = 0; i < H * W; i++) img[i] = bg + (u() - 0.5) * 16;
    const scale = 3;
    const sy = 4;
    const top = Math.floor(3 + 6 * u());
    let x = Math.floor(2 + 6 * u());
    let wordLeft = 2 + Math.floor(6 * u());
    let first = true;
    while (x + 5 * scale < W) {
      if (wordLeft === 0) {
        x += 3 * scale;
        wordLeft = 2 + Math.floor(6 * u());
        first = true;
        continue;
      }
      const pool = first && u() < 0.5 ? UPPER : LOWER;
      const glyph = GLYPHS[pool[Math.floor(u() * pool.length)]];
      for (let r = 0; r < 9; r++)
        for (let c = 0; c < 5; c++) {
          if (!glyph[r][c]) continue;
          for (let dy = 0; dy < sy; dy++)
            for (let dx = 0; dx < scale; dx++) {
              const yy = top + r * sy + dy;
              const xx = x + c * scale + dx;
              if (yy < H && xx < W) img[yy * W + xx] = ink + (u() - 0.5) * 10;
            }
        }
      x += 6 * scale;
      wordLeft--;
      first = false;
    }
    const rot = u() < 0.5;
    rotated[s] = rot ? 1 : 0;
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < H * W; i++) {
        const v = rot ? img[H * W - 1 - i] : img[i];
        data[(s * 3 + c) * H * W + i] = (v / 255 - 0.5) / 0.5;
      }
  }
  return { data, shape: [n, 3, H, W], rotated };
}
