import type { OpContext } from '../context.js';

/** Spatial geometry of a Conv/Pool node: ONNX attributes resolved against the input size. */
export interface Geometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Per spatial axis: [begin, end]. */
  pads: [number, number][];
}

/**
 * Resolves kernel/strides/dilations/pads/auto_pad. `inSize` are the spatial input sizes.
 * SAME_UPPER puts the odd padding at the end, SAME_LOWER at the beginning (ONNX).
 */
export function geometry(ctx: OpContext, inSize: number[], kernel: number[]): Geometry {
  const n = inSize.length;
  const strides = ctx.ints('strides') ?? new Array<number>(n).fill(1);
  const dilations = ctx.ints('dilations') ?? new Array<number>(n).fill(1);
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  const raw = ctx.ints('pads') ?? new Array<number>(2 * n).fill(0);
  const pads: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const out = Math.ceil(inSize[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inSize[i]);
      const small = Math.floor(total / 2);
      pads.push(autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small]);
    } else if (autoPad === 'VALID') pads.push([0, 0]);
    else pads.push([raw[i], raw[i + n]]);
  }
  return { kernel, strides, dilations, pads };
}

/** tfjs explicit padding for an NHWC tensor, or 'valid' when there is none. */
export function explicitPad(pads: [number, number][]): 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  if (pads.every(([a, b]) => a === 0 && b === 0)) return 'valid';
  return [[0, 0], pads[0], pads[1], [0, 0]];
}

/** Makes a 1-D geometry 2-D by adding a unit H axis in front. */
export function as2d(g: Geometry): Geometry {
  if (g.kernel.length === 2) return g;
  return { kernel: [1, g.kernel[0]], strides: [1, g.strides[0]], dilations: [1, g.dilations[0]], pads: [[0, 0], g.pads[0]] };
}
