/**
 * Conv (1-D or 2-D; dense, depthwise or grouped): input, weight and bias gradients. Dense convolutions with small
 * outputs run as Gather-im2col + Gemm (conv-gemm.ts) in the forward and the backward; the others keep
 * ORT's Conv forward, with dX as a Conv/ConvTranspose and dW per kernel offset.
 */
import { registerGradientRule } from '../registry.js';
import { convGeometry, type ConvGeometry } from './conv-geometry.js';
import { convGemmBackward, convGemmForward } from './conv-gemm.js';
import { convInputGrad } from './conv-input-grad.js';
import { convWeightGrad } from './conv-weight-grad.js';

/**
 * Output pixels (Ho·Wo) up to which a dense Conv runs in the Gemm form; read at compile time, so the
 * formulation benches (bench/engine/conv-forms.ts) can compile both forms in one process.
 * stridedCol2im: dX of a strided Gemm-form Conv by col2im (else im2col of the zero-inserted dy).
 */
export const convFormulation = { gemmMaxOutPixels: 64, stridedCol2im: true };

const gemmForm = (g: ConvGeometry) =>
  g.rank === 4 && g.group === 1 && g.outSize[0] * g.outSize[1] <= convFormulation.gemmMaxOutPixels;

registerGradientRule({
  opTypes: ['Conv'],
  parameterPorts: [1, 2],
  forward: ({ emit, node, shape }) => {
    const g = convGeometry(node, shape);
    if (!gemmForm(g)) {
      emit.copy(node);
      return {};
    }
    const [x, w, b] = node.inputs;
    return { saved: convGemmForward(emit, x, w, b || undefined, node.outputs[0], g, node.name) };
  },
  backward: ({ emit, node, dOutputs, needs, shape, saved }) => {
    const g = convGeometry(node, shape);
    const [x, w] = node.inputs;
    const dy = dOutputs[0]!;
    if (saved.cols) {
      const db = needs[2] ? emit.reduceSum(dy, [0, 2, 3], false, node.name) : undefined;
      const { dx, dw } = convGemmBackward(
        emit,
        w,
        dy,
        saved.cols,
        g,
        { x: needs[0], w: needs[1], col2im: convFormulation.stridedCol2im },
        node.name,
      );
      return [dx, dw, db];
    }
    // A 1-D Conv is differentiated as the 2-D Conv of [N, C, 1, L]: views in, views out.
    const view = (t: string) => (g.rank === 3 ? emit.unsqueeze(t, [2], node.name) : t);
    const back = (t: string) => (g.rank === 3 ? emit.op('Squeeze', [t, emit.ints([2])], {}, node.name) : t);
    return [
      needs[0] ? back(convInputGrad(emit, view(dy), view(w), g, node.name)) : undefined,
      needs[1] ? back(convWeightGrad(emit, view(x), view(dy), g, node.name)) : undefined,
      needs[2] ? emit.reduceSum(dy, g.rank === 3 ? [0, 2] : [0, 2, 3], false, node.name) : undefined,
    ];
  },
});
