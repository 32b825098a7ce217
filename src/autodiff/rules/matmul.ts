/**
 * MatMul (rank ≥ 2, batch dims broadcast): dA = dY·Bᵀ, dB = Aᵀ·dY, each summed back over the batch
 * dims it was broadcast along. Transposes swap the last two axes.
 */
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';
import { unbroadcast } from './unbroadcast.js';

const swapLast = (rank: number) => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];

registerGradientRule({
  opTypes: ['MatMul'],
  parameterPorts: [0, 1],
  backward: ({ emit, node, dOutputs, needs, shape }) => {
    const [a, b] = node.inputs;
    const [sa, sb, sy] = [shape(a), shape(b), shape(node.outputs[0])];
    if (sa.length < 2 || sb.length < 2)
      throw new AutodiffError(`${node.name}: the MatMul gradient rule needs operands of rank ≥ 2`);
    const dy = dOutputs[0]!;
    const base = node.name;
    // Partial products carry the output's batch dims: [...batch, M, K] and [...batch, K, N].
    const dA = needs[0]
      ? emit.op('MatMul', [dy, emit.transpose(b, swapLast(sb.length), base)], {}, base)
      : undefined;
    const dB = needs[1]
      ? emit.op('MatMul', [emit.transpose(a, swapLast(sa.length), base), dy], {}, base)
      : undefined;
    const batch = sy.slice(0, -2);
    return [
      dA && unbroadcast(emit, dA, [...batch, ...sa.slice(-2)], sa, base),
      dB && unbroadcast(emit, dB, [...batch, ...sb.slice(-2)], sb, base),
    ];
  },
});
