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

/** A one-element tensor as a 0-d one (Clip takes scalar bounds). */
const numel = (dims: Dim[]) => dims.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 2), 1);

/**
 * NNCF ReferenceQuantize.forward in quantize-math.ts's op order, with the clamp bounds `lowM` / `highM`
 * (the range, or ±∞ while the quantizer is off: then the clamp passes x through, and the forward's
 * Where picks x anyway). Per-tensor bounds clamp with one Clip, per-channel ones with Max + Min (the
 * same values). Returns the clamped input too: clamped == x is the backward's in-range mask.
 */
function quantize(e: GraphEmitter, x: string, b: Bounds, levels: number, scalarBounds: boolean, zeroLow: boolean, base: string) {
  const op = (t: string, ins: string[]) => e.op(t, ins, {}, base);
  const s = op('Div', [e.floats([levels - 1], []), b.range]);
  const clamped = scalarBounds
    ? op('Clip', [x, e.reshape(b.lowM, [], base), e.reshape(b.highM, [], base)])
    : op('Min', [op('Max', [x, b.lowM]), b.highM]);
  // low = 0 exactly (symmetric, level_low 0): c − 0 = c and zp = round(−0·s) = 0, so both Subs drop out exactly
  if (zeroLow) return { fq: op('Div', [op('Round', [op('Mul', [clamped, s])]), s]), clamped };
  const zp = op('Round', [op('Mul', [op('Neg', [b.low]), s])]);
  const q = op('Round', [op('Sub', [op('Mul', [op('Sub', [clamped, b.low]), s]), zp])]);
  return { fq: op('Div', [q, s]), clamped };
}

/** Symmetric with level_low 0 (unsigned): input_low = safe·0 = 0 exactly. */
const zeroLow = (o: Params) => o.symmetric && o.levelLow === 0;

interface Bounds {
  low: string;
  range: string;
  /** Clamp bounds: low / low + range while on, −∞ / +∞ while off. */
  lowM: string;
  highM: string;
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
    forward: ({ emit, node, shape }) => {
      const o = params(node);
      const base = node.name;
      const { low, range } = effectiveRange(emit, node, o);
      const on = emit.op('Cast', [node.inputs[node.inputs.length - 1]], { to: 9 }, base);
      const high = emit.op('Add', [low, range], {}, base);
      // the flag acts on the (parameter-sized) bounds, not on activation-sized tensors
      const lowM = emit.op('Where', [on, low, emit.floats([-Infinity], [])], {}, base);
      const highM = emit.op('Where', [on, high, emit.floats([Infinity], [])], {}, base);
      const b: Bounds = { low, range, lowM, highM };
      const scalarBounds = numel(shape(node.inputs[1])) === 1 && (o.symmetric || numel(shape(node.inputs[2])) === 1);
      const { fq, clamped } = quantize(emit, node.inputs[0], b, o.levelHigh - o.levelLow + 1, scalarBounds, zeroLow(o), base);
      // Where, not x + flag·(fq − x): the disabled and enabled values stay bit-exact.
      emit.nodeOutputs('Where', [on, fq, node.inputs[0]], {}, [node.outputs[0]], base);
      return { saved: { low, range, fq, on, clamped } };
    },
    // Straight-through: dx = dy inside [low, high] (always while off: the clamp bounds are ±∞), else 0.
    // The range gradient per element is (fq − x)/range inside, sign·level_low/level_high below, 1 above
    // (NNCF's masks, written with selects: the same values as the mask products, fewer full-size ops).
    backward: ({ emit, node, dOutputs, needs, saved, shape }) => {
      const o = params(node);
      const base = node.name;
      const op = (t: string, ins: string[]) => emit.op(t, ins, {}, base);
      const c = (v: number) => emit.floats([v], []);
      const dy = dOutputs[0]!;
      const x = node.inputs[0];
      const { low, range, fq, on, clamped } = saved;
      const rank = shape(x).length;
      const inside = op('Equal', [clamped, x]);
      const grads: (string | undefined)[] = node.inputs.map(() => undefined);
      if (needs[0]) grads[0] = op('Where', [inside, dy, c(0)]);
      // parameter gradients are 0 while off (an exact 0: Where, not a product with a possibly non-finite value)
      const whenOn = (g: string) => op('Where', [on, g, c(0)]);
      const rangePort = o.symmetric ? 1 : 2;
      if (needs[rangePort] && zeroLow(o) && needs[0]) {
        // nothing lies below low = 0's level: Σ dy·[inside](fq − x)/range + Σ dy·[above], as
        // (Σ dx·(fq − x))/range + Σ_outside dy — sums of full tensors instead of a per-element select chain
        const axesOf = (g: string) => sumToShape(emit, g, shape(node.inputs[rangePort]), rank, base);
        const insideSum = axesOf(op('Mul', [grads[0]!, op('Sub', [fq, x])]));
        const outsideSum = axesOf(op('Where', [inside, c(0), dy]));
        const sign = op('Sign', [range]);
        const dRange = op('Add', [op('Div', [insideSum, op('Mul', [range, sign])]), outsideSum]);
        const p = node.inputs[rangePort];
        grads[rangePort] = whenOn(op('Mul', [dRange, op(o.log ? 'Exp' : 'Sign', [p])]));
      } else if (needs[rangePort]) {
        const sign = op('Sign', [range]);
        const err = op('Div', [op('Sub', [fq, x]), op('Mul', [range, sign])]);
        const outside = op('Where', [op('Less', [x, low]), op('Mul', [sign, c(o.levelLow / o.levelHigh)]), c(1)]);
        const perElem = op('Where', [inside, err, outside]);
        const dRange = sumToShape(emit, op('Mul', [dy, perElem]), shape(node.inputs[rangePort]), rank, base);
        // NNCF hands grad_range to the parameter through its parametrization: sign(p) (torch's abs), or exp(p).
        const p = node.inputs[rangePort];
        const dSafe = op(o.log ? 'Exp' : 'Sign', [p]);
        grads[rangePort] = whenOn(op('Mul', [dRange, dSafe]));
      }
      if (!o.symmetric && needs[1]) {
        const dLow = sumToShape(emit, op('Where', [inside, c(0), dy]), shape(node.inputs[1]), rank, base);
        grads[1] = whenOn(dLow);
      }
      return grads;
    },
  },
  COMPRESSION_DOMAIN,
);

