/**
 * AveragePool (2-D): each output's gradient is divided by the number of inputs its window averaged
 * (a constant map, so count_include_pad and border windows are exact) and spread back by a depthwise
 * ConvTranspose with a ones kernel.
 */
import { intAttr, intsAttr, stringAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';

registerGradientRule({
  opTypes: ['AveragePool'],
  backward: ({ emit, node, dOutputs, shape }) => {
    const x = shape(node.inputs[0]);
    const fail = (why: string) => new AutodiffError(`${node.name}: the AveragePool gradient rule ${why}`);
    if (x.length !== 4 || !x.slice(1).every((d) => typeof d === 'number'))
      throw fail('needs a 2-D pool with known channels and sizes');
    if (intAttr(node, 'ceil_mode', 0) !== 0 || stringAttr(node, 'auto_pad', 'NOTSET') !== 'NOTSET')
      throw fail('supports ceil_mode=0 with explicit pads only');
    const [c, h, w] = x.slice(1) as number[];
    const [kh, kw] = intsAttr(node, 'kernel_shape')!;
    const strides = intsAttr(node, 'strides') ?? [1, 1];
    const pads = intsAttr(node, 'pads') ?? [0, 0, 0, 0];
    const includePad = intAttr(node, 'count_include_pad', 0) === 1;
    const size = [h, w];
    const out = [0, 1].map(
      (i) => Math.floor((size[i] + pads[i] + pads[i + 2] - [kh, kw][i]) / strides[i]) + 1,
    );
    // Inputs per window: the window clipped to the (padded, when counted) input.
    const counts = new Float32Array(out[0] * out[1]);
    for (let i = 0; i < out[0]; i++)
      for (let j = 0; j < out[1]; j++) {
        const span = (o: number, a: number, k: number) => {
          const lo = o * strides[a] - pads[a];
          const [min, max] = includePad ? [-pads[a], size[a] + pads[a + 2]] : [0, size[a]];
          return Math.min(lo + k, max) - Math.max(lo, min);
        };
        counts[i * out[1] + j] = 1 / (span(i, 0, kh) * span(j, 1, kw));
      }
    const base = node.name;
    const scaled = emit.op('Mul', [dOutputs[0]!, emit.floats(counts, [1, 1, out[0], out[1]])], {}, base);
    const ones = emit.floats(new Float32Array(c * kh * kw).fill(1), [c, 1, kh, kw]);
    const outputPadding = [0, 1].map(
      (a) => size[a] - ((out[a] - 1) * strides[a] + [kh, kw][a] - pads[a] - pads[a + 2]),
    );
    return [
      emit.op(
        'ConvTranspose',
        [scaled, ones],
        {
          kernel_shape: [kh, kw],
          strides,
          pads,
          group: c,
          output_padding: outputPadding,
        },
        base,
      ),
    ];
  },
});
