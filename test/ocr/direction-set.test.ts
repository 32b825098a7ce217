/**
 * The PP-OCR direction set pipeline on a tiny set (10 lines → 20 samples): shapes, value range, zero
 * padding on the right, labels alternating upright/180°, rotated = mirrored content, seeded; and the FP32
 * classifier gets the labels right (a swapped label would read as ~0%).
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { directionAccuracy, DEFAULT_CLS_MODEL } from '../../bench/ocr/accuracy.js';
import { makeDirectionSet, type DirectionSet } from '../../bench/ocr/direction-set.js';
import { DEFAULT_FONTS_DIR } from '../../bench/ocr/fonts.js';
import { CLS_SHAPE, preprocessCls, resizedWidth } from '../../bench/ocr/preprocess.js';
import { gb2312Level1 } from '../../bench/ocr/text.js';

const [C, H, W] = CLS_SHAPE;
const PER = C * H * W;

describe('cls preprocessing', () => {
  it('resizes to height 48 keeping the aspect ratio, width at most 192', () => {
    expect(resizedWidth(100, 50)).toBe(96);
    expect(resizedWidth(101, 50)).toBe(97); // ceil
    expect(resizedWidth(1000, 50)).toBe(192);
  });

  it('normalizes to (x/255 − 0.5)/0.5 in BGR order and pads with zeros', () => {
    const img = { width: 50, height: 48, data: new Uint8Array(50 * 48 * 4) };
    for (let i = 0; i < 50 * 48; i++) img.data.set([255, 0, 51, 255], 4 * i); // R=255 G=0 B=51
    const out = new Float32Array(PER).fill(7);
    preprocessCls(img, out);
    const at = (c: number, y: number, x: number) => out[c * H * W + y * W + x];
    expect(at(0, 10, 10)).toBeCloseTo((51 / 255 - 0.5) / 0.5, 6); // B
    expect(at(1, 10, 10)).toBeCloseTo(-1, 6); // G
    expect(at(2, 10, 10)).toBeCloseTo(1, 6); // R
    expect(at(0, 47, 49)).toBeCloseTo((51 / 255 - 0.5) / 0.5, 6);
    for (let c = 0; c < C; c++) for (let x = 50; x < W; x++) expect(at(c, 20, x)).toBe(0);
  });

  it('common Chinese characters come from GB2312 level 1', () => {
    const chars = gb2312Level1();
    expect(chars.length).toBe(3755);
    expect(chars[0]).toBe('啊');
  });
});

const haveFonts = existsSync(DEFAULT_FONTS_DIR);

describe.skipIf(!haveFonts)('rendered direction set (tiny)', () => {
  let set: DirectionSet;
  beforeAll(() => {
    set = makeDirectionSet({ lines: 10, seed: 11 });
  });

  it('has [20,3,48,192] float32 in [-1,1] and int64 labels 0,1,0,1…', () => {
    expect(set.x.dtype).toBe('float32');
    expect(set.x.shape).toEqual([20, C, H, W]);
    expect(set.labels.dtype).toBe('int64');
    expect(Array.from(set.labels.data, Number)).toEqual(Array.from({ length: 20 }, (_, i) => i % 2));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of set.x.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi - lo).toBeGreaterThan(0.5); // text on a background, not a blank image
    expect(set.meta.samples.map((s) => s.label)).toEqual(Array.from(set.labels.data, Number));
  });

  it('each rotated sample is its upright twin mirrored in both axes over the resized width', () => {
    for (let i = 0; i < 10; i++) {
      const up = set.x.data.subarray(2 * i * PER, (2 * i + 1) * PER);
      const rot = set.x.data.subarray((2 * i + 1) * PER, (2 * i + 2) * PER);
      let rw = W;
      while (
        rw > 0 &&
        [0, 1, 2].every((c) =>
          Array.from({ length: H }, (_, y) => up[c * H * W + y * W + rw - 1]).every((v) => v === 0),
        )
      )
        rw--;
      let maxDiff = 0;
      for (let c = 0; c < C; c++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < rw; x++)
            maxDiff = Math.max(
              maxDiff,
              Math.abs(up[c * H * W + y * W + x] - rot[c * H * W + (H - 1 - y) * W + (rw - 1 - x)]),
            );
      expect(maxDiff).toBeLessThanOrEqual(2 / 255 + 1e-6); // one uint8 rounding step
    }
  });

  it('is seeded: same seed → same set, other seed → other texts', () => {
    const again = makeDirectionSet({ lines: 10, seed: 11 });
    expect(again.meta).toEqual(set.meta);
    expect(Buffer.from(again.x.data.buffer).equals(Buffer.from(set.x.data.buffer))).toBe(true);
    const other = makeDirectionSet({ lines: 10, seed: 12 });
    expect(other.meta.samples.map((s) => s.text)).not.toEqual(set.meta.samples.map((s) => s.text));
  });

  it.skipIf(!existsSync(DEFAULT_CLS_MODEL))('the FP32 PP-OCR classifier agrees with the labels', async () => {
    const r = await directionAccuracy(set);
    expect(r.samples).toBe(20);
    expect(r.top1).toBeGreaterThanOrEqual(0.8);
  });
});

it('fonts are in the cache (npm run get-data -- fonts)', () => {
  expect(haveFonts, `${DEFAULT_FONTS_DIR} missing: run 'bash scripts/get-data.sh fonts'`).toBe(true);
});
