/**
 * Conv (2-D, dense or depthwise): input, weight and bias gradients. Dense convolutions with small
 * outputs run as Gather-im2col + Gemm (conv-gemm.ts) in the forward and the backward; the others keep
 * ORT's Conv forward, with dX as a Conv/ConvTranspose and dW per kernel offset.
 */
import { registerGradientRule } from '../registry.js';
import { convGeometry, type ConvGeometry } from './conv-geometry.js';
import { convGemmBackward, convGemmForward, type ConvGemmLayout } from './conv-gemm.js';
import { convInputGrad } from './conv-input-grad.js';
import { convWeightGrad } from './conv-weight-grad.js';

/**
 * Output pixels (Ho·Wo) up to which a dense Conv runs in the Gemm form; read at compile time, so the
 * formulation benches (bench/engine/conv-forms.ts) can compile both forms in one process.
 */
export const convFormulation = { gemmMaxOutPixels: 64, nhwcMinChannels: Infinity };

const layoutOf = (g: ConvGeometry): ConvGemmLayout => (g.cin >= convFormulation.nhwcMinChannels ? 'nhwc' : 'batch-last');

const gemmForm = (g: ConvGeometry) => g.group === 1 && g.outSize[0] * g.outSize[1] <= convFormulation.gemmMaxOutPixels;

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
    return { saved: convGemmForward(emit, x, w, b || undefined, node.outputs[0], g, layoutOf(g), node.name) };
  },
  backward: ({ emit, node, dOutputs, needs, shape, saved }) => {
    const g = convGeometry(node, shape);
    const [x, w] = node.inputs;
    const dy = dOutputs[0]!;
    const db = needs[2] ? emit.reduceSum(dy, [0, 2, 3], false, node.name) : undefined;
    if (saved.cols) {
      const { dx, dw } = convGemmBackward(emit, w, dy, saved.cols, g, layoutOf(g), { x: needs[0], w: needs[1] }, node.name);
      return [dx, dw, db];
    }
    return [
      needs[0] ? convInputGrad(emit, dy, w, g, node.name) : undefined,
      needs[1] ? convWeightGrad(emit, x, dy, g, node.name) : undefined,
      db,
    ];
  },
});
