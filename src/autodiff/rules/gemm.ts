/**
 * Gemm: Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A (same for B). Each gradient is one Gemm whose
 * transpose flags produce the operand's own layout directly (no Transpose nodes).
 */
import { floatAttr, intAttr } from '../attrs.js';
import { registerGradientRule } from '../registry.js';
import { unbroadcast } from './unbroadcast.js';

registerGradientRule({
  opTypes: ['Gemm'],
  parameterPorts: [1, 2],
  backward: ({ emit, node, dOutputs, needs, shape }) => {
    const [a, b, c] = node.inputs;
    const dy = dOutputs[0]!;
    const alpha = floatAttr(node, 'alpha', 1);
    const beta = floatAttr(node, 'beta', 1);
    const transA = intAttr(node, 'transA', 0);
    const transB = intAttr(node, 'transB', 0);
    const gemm = (x: string, y: string, tA: number, tB: number) =>
      emit.op('Gemm', [x, y], { alpha: { float: alpha }, transA: tA, transB: tB }, node.name);
    // dA' = dY·B'ᵀ ; dB' = A'ᵀ·dY
    const dA = !needs[0] ? undefined : transA === 0 ? gemm(dy, b, 0, 1 - transB) : gemm(b, dy, transB, 1);
    const dB = !needs[1] ? undefined : transB === 0 ? gemm(a, dy, 1 - transA, 0) : gemm(dy, a, 1, transA);
    let dC: string | undefined;
    if (c && needs[2]) {
      const scaled = beta === 1 ? dy : emit.op('Mul', [dy, emit.floats([beta], [])], {}, node.name);
      dC = unbroadcast(emit, scaled, shape(node.outputs[0]), shape(c), node.name);
    }
    return [dA, dB, dC];
  },
});
