/**
 * dX of a Conv. Stride 1 (dense or depthwise): a Conv of dy with the flipped, in/out-swapped weights —
 * measured faster on ORT than ConvTranspose. Otherwise ConvTranspose with the forward's attributes and
 * the output padding that restores the input size.
 */
import type { GraphEmitter } from '../emitter.js';
import { isDepthwise, type ConvGeometry } from './conv-geometry.js';

export function convInputGrad(
  emit: GraphEmitter,
  dy: string,
  w: string,
  g: ConvGeometry,
  base: string,
): string {
  const [kh, kw] = g.kernel;
  const reach = [0, 1].map((i) => (g.kernel[i] - 1) * g.dilations[i]);
  const flipPads = [reach[0] - g.pads[0], reach[1] - g.pads[1], reach[0] - g.pads[2], reach[1] - g.pads[3]];
  const flippable =
    g.strides.every((s) => s === 1) && flipPads.every((p) => p >= 0) && (g.group === 1 || isDepthwise(g));
  if (flippable) {
    const swapped = g.group === 1 ? emit.transpose(w, [1, 0, 2, 3], base) : w;
    const flipped =
      kh * kw === 1 ? swapped : emit.slice(swapped, [-1, -1], [-kh - 1, -kw - 1], [2, 3], [-1, -1], base);
    return emit.op(
      'Conv',
      [dy, flipped],
      { kernel_shape: [kh, kw], pads: flipPads, dilations: g.dilations, group: g.group },
      base,
    );
  }
  const outputPadding = [0, 1].map(
    (i) =>
      g.inSize[i] -
      ((g.outSize[i] - 1) * g.strides[i] +
        (g.kernel[i] - 1) * g.dilations[i] +
        1 -
        g.pads[i] -
        g.pads[i + 2]),
  );
  return emit.op(
    'ConvTranspose',
    [dy, w],
    {
      kernel_shape: [kh, kw],
      strides: g.strides,
      pads: g.pads,
      dilations: g.dilations,
      group: g.group,
      output_padding: outputPadding,
    },
    base,
  );
}
