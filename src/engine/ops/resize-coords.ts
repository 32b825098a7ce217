import type { OpContext } from '../context.js';

/** One output coordinate's source taps: indices into the input axis and their weights. */
export interface AxisTaps {
  /** taps[t][o] = source index of tap t for output o. */
  index: number[][];
  weight: number[][];
  /** false where tf_crop_and_resize lands outside the input (use extrapolation_value). */
  valid: boolean[] | null;
}

export interface AxisSpec {
  inLen: number;
  outLen: number;
  scale: number;
  roi: [number, number];
}

/** ONNX coordinate_transformation_mode: output coordinate → input coordinate. */
export function sourceCoord(mode: string, x: number, a: AxisSpec): number {
  // As the ONNX reference: the "resized length" is in_len * scale, not rounded (matters for scales input).
  const { inLen, scale } = a;
  const outLen = inLen * scale;
  switch (mode) {
    case 'half_pixel':
      return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adj = a.outLen / outLen;
      const offset = (inLen / 2) * (1 - adj);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel':
      return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners':
      return outLen === 1 ? 0 : (x * (inLen - 1)) / (outLen - 1);
    case 'asymmetric':
      return x / scale;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / scale;
    case 'tf_crop_and_resize': {
      const [s, e] = a.roi;
      return outLen > 1 ? s * (inLen - 1) + (x * (e - s) * (inLen - 1)) / (outLen - 1) : 0.5 * (s + e) * (inLen - 1);
    }
    default:
      throw new Error(`unsupported coordinate_transformation_mode "${mode}"`);
  }
}

function nearestIndex(x: number, mode: string): number {
  switch (mode) {
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round_prefer_ceil':
      return Math.round(x);
    default: // round_prefer_floor
      return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
  }
}

/** Taps for one axis in mode nearest / linear / cubic, following onnxruntime's CPU kernel. */
export function axisTaps(ctx: OpContext, a: AxisSpec, mode: string, coordMode: string, nearestMode: string): AxisTaps {
  const cubicA = ctx.float('cubic_coeff_a', -0.75);
  const excludeOutside = ctx.int('exclude_outside', 0) === 1;
  const nTaps = mode === 'nearest' ? 1 : mode === 'linear' ? 2 : 4;
  const index = Array.from({ length: nTaps }, () => new Array<number>(a.outLen));
  const weight = Array.from({ length: nTaps }, () => new Array<number>(a.outLen));
  const valid = coordMode === 'tf_crop_and_resize' ? new Array<boolean>(a.outLen) : null;
  const last = a.inLen - 1;
  const clamp = (i: number) => Math.min(Math.max(i, 0), last);
  for (let o = 0; o < a.outLen; o++) {
    let x = sourceCoord(coordMode, o, a);
    if (valid) valid[o] = x >= 0 && x <= last;
    if (mode === 'nearest') {
      index[0][o] = clamp(nearestIndex(x, nearestMode));
      weight[0][o] = 1;
    } else if (mode === 'linear') {
      x = Math.min(Math.max(x, 0), last);
      const x0 = Math.floor(x);
      const t = x - x0;
      index[0][o] = x0;
      index[1][o] = Math.min(x0 + 1, last);
      weight[0][o] = 1 - t;
      weight[1][o] = t;
    } else {
      const x0 = Math.floor(x);
      const t = x - x0;
      const A = cubicA;
      const w = [
        ((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A,
        ((A + 2) * t - (A + 3)) * t * t + 1,
        ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1,
        0,
      ];
      w[3] = ((A * (2 - t) - 5 * A) * (2 - t) + 8 * A) * (2 - t) - 4 * A;
      let sum = 0;
      for (let k = 0; k < 4; k++) {
        const src = x0 - 1 + k;
        if (excludeOutside && (src < 0 || src > last)) w[k] = 0;
        sum += w[k];
      }
      for (let k = 0; k < 4; k++) {
        index[k][o] = clamp(x0 - 1 + k);
        weight[k][o] = excludeOutside && sum !== 0 ? w[k] / sum : w[k];
      }
    }
  }
  return { index, weight, valid };
}
