/**
 * Rendered pages for PP-OCR det: a light page (slight tint) with 3–6 dark text lines (the direction set's
 * seeded Chinese/Latin lines and fonts) at random positions on free rows, preprocessed as PaddleOCR's
 * det pipeline does (BGR, x/255, minus mean [0.485, 0.456, 0.406], over std [0.229, 0.224, 0.225]):
 * [N, 3, H, W] float32, H and W multiples of 32 as DetResizeForTest makes them.
 */
import { createCanvas } from '@napi-rs/canvas';
import { ndarray, Random, type NdArray } from '../../src/data/index.js';
import { loadFonts } from '../ocr/fonts.js';
import { DEFAULT_KEYS } from '../ocr/direction-set.js';
import { chineseAlphabet, textLine } from '../ocr/text.js';

export const PAGE = { height: 320, width: 480 } as const;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** `pages` seeded pages as the det model's input. */
export function renderPages(pages: number, seed: number): NdArray<'float32'> {
  const fonts = loadFonts();
  const cjk = fonts.filter((f) => f.cjk);
  const alphabet = cjk.length ? chineseAlphabet(DEFAULT_KEYS) : [];
  const rng = new Random(seed);
  const { height: H, width: W } = PAGE;
  const x = ndarray('float32', [pages, 3, H, W]);
  for (let p = 0; p < pages; p++) {
    const canvas = createCanvas(W, H);
    const g = canvas.getContext('2d');
    const bg = 215 + 40 * rng.float();
    const tint = () => Math.round(Math.min(255, bg + 20 * (rng.float() - 0.5)));
    g.fillStyle = `rgb(${tint()},${tint()},${tint()})`;
    g.fillRect(0, 0, W, H);
    let y = 8 + rng.int(16);
    const lines = 3 + rng.int(4);
    for (let l = 0; l < lines && y < H - 24; l++) {
      const useCjk = cjk.length > 0 && rng.float() < 0.5;
      const pool = useCjk ? cjk : fonts;
      const font = pool[rng.int(pool.length)];
      const size = 16 + rng.int(17);
      const text = textLine(rng, useCjk ? 'cjk' : 'latin', alphabet);
      g.font = `${size}px "${font.family}"`;
      const fg = Math.round(70 * rng.float());
      g.fillStyle = `rgb(${fg},${fg},${Math.min(255, fg + rng.int(40))})`;
      const left = 6 + rng.int(Math.max(1, W / 3));
      g.fillText(text, left, y + size);
      y += Math.round(size * (1.4 + 1.2 * rng.float()));
    }
    const rgba = g.getImageData(0, 0, W, H).data;
    const plane = H * W;
    for (let i = 0; i < plane; i++)
      for (let c = 0; c < 3; c++) {
        const v = rgba[4 * i + (2 - c)] / 255; // BGR
        x.data[(p * 3 + c) * plane + i] = (v - MEAN[c]) / STD[c];
      }
  }
  return x;
}
