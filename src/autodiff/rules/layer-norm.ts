/**
 * LayerNormalization (opset 17) over the axes from `axis` on, written out so the backward reuses x̂ and
 * 1/σ: dx = 1/σ · (g − mean(g) − x̂·mean(g·x̂)) with g = dy·γ; dγ = Σ dy·x̂, dβ = Σ dy over the
 * leading axes.
 */
import { floatAttr, intAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';
import { unbroadcast } from './unbroadcast.js';

const normAxes = (axis: number, rank: number) =>
  Array.from({ length: rank - ((axis + rank) % rank) }, (_, i) => i + ((axis + rank) % rank));

registerGradientRule({
  opTypes: ['LayerNormalization'],
  parameterPorts: [1, 2],
  forward: ({ emit, node, shape }) => {
    const [x, scale, bias] = node.inputs;
    if (node.outputs.slice(1).some(Boolean))
      throw new AutodiffError(
        `${node.name}: LayerNormalization's Mean/InvStdDev outputs are not supported in training graphs`,
      );
    const axes = normAxes(intAttr(node, 'axis', -1), shape(x).length);
    const base = node.name;
    const centred = emit.op('Sub', [x, emit.reduceMean(x, axes, true, base)], {}, base);
    const variance = emit.reduceMean(emit.op('Mul', [centred, centred], {}, base), axes, true, base);
    const eps = emit.floats([floatAttr(node, 'epsilon', 1e-5)], []);
    const invStd = emit.op(
      'Reciprocal',
      [emit.op('Sqrt', [emit.op('Add', [variance, eps], {}, base)], {}, base)],
      {},
      base,
    );
    const xHat = emit.op('Mul', [centred, invStd], {}, base);
    const scaled = emit.op('Mul', [xHat, scale], {}, base);
    if (bias) emit.nodeOutputs('Add', [scaled, bias], {}, [node.outputs[0]], base);
    else emit.nodeOutputs('Identity', [scaled], {}, [node.outputs[0]], base);
    return { saved: { xHat, invStd } };
  },
  backward: ({ emit, node, dOutputs, needs, saved, shape }) => {
    const [x, scale, bias] = node.inputs;
    const sx = shape(x);
    const axes = normAxes(intAttr(node, 'axis', -1), sx.length);
    const dy = dOutputs[0]!;
    const base = node.name;
    let dx: string | undefined;
    if (needs[0]) {
      const g = emit.op('Mul', [dy, scale], {}, base);
      const meanG = emit.reduceMean(g, axes, true, base);
      const meanGXHat = emit.reduceMean(emit.op('Mul', [g, saved.xHat], {}, base), axes, true, base);
      const inner = emit.op(
        'Sub',
        [emit.op('Sub', [g, meanG], {}, base), emit.op('Mul', [saved.xHat, meanGXHat], {}, base)],
        {},
        base,
      );
      dx = emit.op('Mul', [inner, saved.invStd], {}, base);
    }
    const dScale = needs[1]
      ? unbroadcast(emit, emit.op('Mul', [dy, saved.xHat], {}, base), sx, shape(scale), base)
      : undefined;
    const dBias = bias && needs[2] ? unbroadcast(emit, dy, sx, shape(bias), base) : undefined;
    return [dx, dScale, dBias];
  },
});
