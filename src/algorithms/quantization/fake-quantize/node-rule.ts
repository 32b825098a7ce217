/**
 * Gradient rule of the FakeQuantize compression node: NNCF's fake quantization as standard ONNX ops
 * forward and its straight-through gradients (spec §1.4) backward, op for op as quantize-math.ts and
 * fake-quantize-ops.ts compute them on the engine.
 *
 * Node: FakeQuantize(x, scale, enabled) symmetric, FakeQuantize(x, input_low, input_range, enabled)
 * asymmetric; attributes mode, level_low, level_high, logarithm_scale, eps. Parameters are in ONNX
 * layout ([1], or ones but the channel axis). `enabled` is a 0-d float flag: 0 passes x through
 * (staged quantization without a recompile). Parameter gradients are returned without
 * compression_lr_multiplier: the trainer applies the input's `lrMultiplier` to them.
 */
import { floatAttr, intAttr, registerGradientRule, stringAttr, type GraphEmitter } from '../../../autodiff/index.js';
import { COMPRESSION_DOMAIN } from '../../../compression/index.js';
import type { Dim, GraphNode } from '../../../graph/index.js';

export const FAKE_QUANTIZE_OP = 'FakeQuantize';

interface Params {
  symmetric: boolean;
  levelLow: number;
  levelHigh: number;
  log: boolean;
  eps: number;
}

function params(node: GraphNode): Params {
  return {
    symmetric: stringAttr(node, 'mode', 'symmetric') === 'symmetric',
    levelLow: intAttr(node, 'level_low', 0),
    levelHigh: intAttr(node, 'level_high', 255),
    log: intAttr(node, 'logarithm_scale', 0) === 1,
    eps: floatAttr(node, 'eps', 1e-16),
  };
}

/** safe = |p| + eps, or exp(p) with logarithm_scale. */
function safeRange(e: GraphEmitter, p: string, o: Params, base: string): string {
  if (o.log) return e.op('Exp', [p], {}, base);
  return e.op('Add', [e.op('Abs', [p], {}, base), e.floats([o.eps], [])], {}, base);
}

/** NNCF TuneRange (quantize-math.ts tuneRange): widen [low, low+range] so 0 is a level. */
function tuneRange(e: GraphEmitter, low: string, range: string, levels: number, base: string): { low: string; range: string } {
  const n = levels - 1;
  const c = (v: number) => e.floats([v], []);
  const op = (t: string, ins: string[]) => e.op(t, ins, {}, base);
  const high0 = op('Add', [range, low]);
  const lowC = op('Min', [low, c(0)]);
  const highC = op('Max', [high0, c(0)]);
  const scale = op('Div', [c(n), op('Sub', [highC, lowC])]);
  const zp = op('Round', [op('Mul', [op('Neg', [lowC]), scale])]);
  const candLow = op('Where', [op('Less', [zp, c(n)]), op('Mul', [op('Div', [zp, op('Sub', [zp, c(n)])]), highC]), lowC]);
  const candHigh = op('Where', [op('Greater', [zp, c(0)]), op('Mul', [op('Div', [op('Sub', [zp, c(n)]), zp]), lowC]), highC]);
  const keepHigh = op('Greater', [op('Sub', [highC, candLow]), op('Sub', [candHigh, lowC])]);
  const newLow = op('Where', [keepHigh, candLow, lowC]);
  const newHigh = op('Where', [keepHigh, highC, candHigh]);
  return { low: newLow, range: op('Sub', [newHigh, newLow]) };
}

/** The effective input_low / input_range of the node and the pieces the backward reuses. */
function effectiveRange(e: GraphEmitter, node: GraphNode, o: Params) {
  const base = node.name;
  if (o.symmetric) {
    const safe = safeRange(e, node.inputs[1], o, base);
    const low = e.op('Mul', [safe, e.floats([o.levelLow / o.levelHigh], [])], {}, base);
    return { low, range: e.op('Sub', [safe, low], {}, base) };
  }
  const safe = safeRange(e, node.inputs[2], o, base);
  return tuneRange(e, node.inputs[1], safe, o.levelHigh - o.levelLow + 1, base);
}

/** NNCF ReferenceQuantize.forward in quantize-math.ts's op order. */
function quantize(e: GraphEmitter, x: string, low: string, range: string, levels: number, base: string): string {
  const op = (t: string, ins: string[]) => e.op(t, ins, {}, base);
  const s = op('Div', [e.floats([levels - 1], []), range]);
  const high = op('Add', [low, range]);
  const clamped = op('Min', [op('Max', [x, low]), high]);
  const zp = op('Round', [op('Mul', [op('Neg', [low]), s])]);
  const q = op('Round', [op('Sub', [op('Mul', [op('Sub', [clamped, low]), s]), zp])]);
  return op('Div', [q, s]);
}

/** NNCF sum_like: a broadcast gradient summed back to the parameter's shape. */
function sumToShape(e: GraphEmitter, g: string, param: Dim[], rank: number, base: string): string {
  const numel = param.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
  if (numel === 1 || param.length !== rank)
    return e.reshape(e.reduceSum(g, Array.from({ length: rank }, (_, i) => i), false, base), param.map((d) => (typeof d === 'number' ? d : 1)), base);
  const axes = param.flatMap((d, i) => (d === 1 ? [i] : []));
  return axes.length ? e.reduceSum(g, axes, true, base) : g;
}

registerGradientRule(
  {
    opTypes: [FAKE_QUANTIZE_OP],
    // A weight read through the quantizer stays a parameter, as it was for its consumer.
    parameterPorts: [0],
    forward: ({ emit, node }) => {
      const o = params(node);
      const { low, range } = effectiveRange(emit, node, o);
      const fq = quantize(emit, node.inputs[0], low, range, o.levelHigh - o.levelLow + 1, node.name);
      const on = emit.op('Cast', [node.inputs[node.inputs.length - 1]], { to: 9 }, node.name);
      // Where, not x + flag·(fq − x): the disabled and enabled values stay bit-exact.
      emit.nodeOutputs('Where', [on, fq, node.inputs[0]], {}, [node.outputs[0]], node.name);
      return { saved: { low, range, fq, on } };
    },
    backward: ({ emit, node, dOutputs, needs, saved, shape }) => {
      const o = params(node);
      const base = node.name;
      const op = (t: string, ins: string[]) => emit.op(t, ins, {}, base);
      const c = (v: number) => emit.floats([v], []);
      const dy = dOutputs[0]!;
      const x = node.inputs[0];
      const { low, range, fq, on } = saved;
      const rank = shape(x).length;
      const flag = node.inputs[node.inputs.length - 1];
      const toFloat = (b: string) => emit.op('Cast', [b], { to: 1 }, base);
      const maskHi = toFloat(op('Greater', [x, op('Add', [low, range])]));
      const maskLo = toFloat(op('Less', [x, low]));
      const maskIn = op('Sub', [op('Sub', [c(1), maskHi]), maskLo]);
      const grads: (string | undefined)[] = node.inputs.map(() => undefined);
      if (needs[0]) grads[0] = op('Where', [on, op('Mul', [dy, maskIn]), dy]);
      const rangePort = o.symmetric ? 1 : 2;
      if (needs[rangePort]) {
        const sign = op('Sign', [range]);
        const err = op('Div', [op('Sub', [fq, x]), op('Mul', [range, sign])]);
        const loTerm = op('Mul', [op('Mul', [sign, c(o.levelLow / o.levelHigh)]), maskLo]);
        const perElem = op('Add', [op('Add', [op('Mul', [err, maskIn]), loTerm]), maskHi]);
        const dRange = sumToShape(emit, op('Mul', [dy, perElem]), shape(node.inputs[rangePort]), rank, base);
        // NNCF hands grad_range to the parameter through its parametrization: sign(p) (torch's abs), or exp(p).
        const p = node.inputs[rangePort];
        const dSafe = op(o.log ? 'Exp' : 'Sign', [p]);
        grads[rangePort] = op('Mul', [op('Mul', [dRange, dSafe]), flag]);
      }
      if (!o.symmetric && needs[1]) {
        const dLow = sumToShape(emit, op('Mul', [dy, op('Add', [maskHi, maskLo])]), shape(node.inputs[1]), rank, base);
        grads[1] = op('Mul', [dLow, flag]);
      }
      return grads;
    },
  },
  COMPRESSION_DOMAIN,
);

