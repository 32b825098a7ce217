/**
 * PP-OCR's direction-classifier preprocessing (PaddleOCR `TextClassifier.resize_norm_img`): the crop, in
 * OpenCV's BGR channel order, is resized to height 48 keeping its aspect ratio (width ceil(48·w/h),
 * at most 192) with bilinear interpolation as cv2.INTER_LINEAR (half-pixel centres), scaled to
 * (x/255 − 0.5)/0.5 and padded with zeros on the right to 3×48×192.
 */
import type { RgbaImage } from './render.js';

export const CLS_SHAPE = [3, 48, 192] as const;

export function resizedWidth(
  width: number,
  height: number,
  imgH = CLS_SHAPE[1],
  imgW = CLS_SHAPE[2],
): number {
  const w = Math.ceil(imgH * (width / height)); // as PaddleOCR: ceil(imgH * ratio)
  return w > imgW ? imgW : w;
}

/** Writes one preprocessed CHW sample into `out` at `offset` (3·48·192 floats). */
export function preprocessCls(img: RgbaImage, out: Float32Array, offset = 0): void {
  const [C, H, W] = CLS_SHAPE;
  const rw = resizedWidth(img.width, img.height);
  const sx = img.width / rw;
  const sy = img.height / H;
  out.fill(0, offset, offset + C * H * W);
  for (let y = 0; y < H; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), img.height - 1);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < rw; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(Math.floor(fx), img.width - 1);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < C; c++) {
        const ch = 2 - c; // BGR from RGBA
        const p = (yy: number, xx: number) => img.data[4 * (yy * img.width + xx) + ch];
        const v =
          (1 - wy) * ((1 - wx) * p(y0, x0) + wx * p(y0, x1)) + wy * ((1 - wx) * p(y1, x0) + wx * p(y1, x1));
        out[offset + c * H * W + y * W + x] = (Math.round(v) / 255 - 0.5) / 0.5; // cv2.resize yields uint8
      }
    }
  }
}
