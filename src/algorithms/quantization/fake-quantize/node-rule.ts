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
  /** A Relu before the quantizer folded into it (absorbProducer): the clamp's lower bound does its work. */
  relu: boolean;
  symmetric: boolean;
  levelLow: number;
  levelHigh: number;
  log: boolean;
  eps: number;
}

function params(node: GraphNode): Params {
  return {
    relu: intAttr(node, 'relu', 0) === 1,
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
 * 1.5·2^23: for |t| < 2^22, (t + M) − M is t rounded to the nearest integer, ties to even (float32 addition
 * rounds so), i.e. exactly ONNX Round and torch.round; with M = 0 it is t itself. Two cheap adds replace
 * Round plus the full-size Where(enabled, fq, x) that selected the pass-through while a quantizer is off.
 */
export const ROUND_SHIFT = 12582912;

/** The smallest positive float32 (a denormal): nothing lies strictly between it and 0. */
const MIN_POSITIVE = 2 ** -149;

/**
 * NNCF ReferenceQuantize.forward in quantize-math.ts's op order: clamp to [low, low + range], shift by
 * low, scale by s = (levels − 1)/range, subtract zp = round(−low·s), round, divide by s; written to `out`.
 * The staged flag acts on parameter-sized tensors only: while off the clamp bounds are ±∞, the shift and
 * zp 0, the scale 1 and the rounding shift 0, so the same full-size ops return x exactly (−0 as +0).
 * Per-tensor bounds clamp with one Clip, per-channel ones with Max + Min (the same values). Returns the
 * clamped input (clamped == x is the backward's in-range mask) and the shifted input clamped − low.
 */
function quantize(e: GraphEmitter, x: string, b: Bounds, o: Params, scalarBounds: boolean, out: string, base: string) {
  const op = (t: string, ins: string[]) => e.op(t, ins, {}, base);
  const c = (v: number) => e.floats([v], []);
  const onOr = (v: string, off: number) => op('Where', [b.on, v, c(off)]);
  const s = op('Div', [c(o.levelHigh - o.levelLow), b.range]);
  const sM = onOr(s, 1);
  const shift = onOr(c(ROUND_SHIFT), 0);
  // A folded Relu clamps from below at the smallest positive float, on or off: clamped == x is then
  // exactly x > 0 ∧ x ≤ high (Relu's gradient mask times the quantizer's), and the output is 0 there
  // while on (Round(2^-149·s) = 0); while off it is that denormal instead of Relu's 0.
  const lowM = o.relu ? c(MIN_POSITIVE) : b.lowM;
  const clamped = scalarBounds
    ? op('Clip', [x, o.relu ? lowM : e.reshape(lowM, [], base), e.reshape(b.highM, [], base)])
    : op('Min', [op('Max', [x, lowM]), b.highM]);
  let t: string;
  let shifted = clamped;
  if (zeroLow(o)) {
    // low = 0 exactly (symmetric, level_low 0): c − 0 = c and zp = round(−0·s) = 0, so both Subs drop out exactly
    t = op('Mul', [clamped, sM]);
  } else {
    shifted = op('Sub', [clamped, onOr(b.low, 0)]);
    const zp = op('Round', [op('Mul', [op('Neg', [b.low]), s])]);
    t = op('Sub', [op('Mul', [shifted, sM]), onOr(zp, 0)]);
  }
  const q = op('Sub', [op('Add', [t, shift]), shift]);
  e.nodeOutputs('Div', [q, sM], {}, [out], base);
  return { clamped, shifted };
}

/** Symmetric with level_low 0 (unsigned): input_low = safe·0 = 0 exactly. */
const zeroLow = (o: Params) => o.symmetric && o.levelLow === 0;

interface Bounds {
  low: string;
  range: string;
  /** The staged flag as a bool. */
  on: string;
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
    // Relu → unsigned quantizer (its sole consumer), the usual activation pattern: one clamp does both and
    // one mask serves both gradients — 4 activation-sized passes fewer (Relu forward, Greater, Cast, Mul).
    absorbProducer: (node, producer) => {
      const o = params(node);
      if (producer.opType !== 'Relu' || producer.domain !== '' || !zeroLow(o) || o.relu) return undefined;
      return {
        ...node,
        inputs: [producer.inputs[0], ...node.inputs.slice(1)],
        attributes: { ...node.attributes, relu: { type: 'int', value: 1 } },
      };
    },
    forward: ({ emit, node, shape }) => {
      const o = params(node);
      const base = node.name;
      const { low, range } = effectiveRange(emit, node, o);
      const on = emit.op('Cast', [node.inputs[node.inputs.length - 1]], { to: 9 }, base);
      const high = emit.op('Add', [low, range], {}, base);
      // the flag acts on the (parameter-sized) bounds, not on activation-sized tensors
      const lowM = emit.op('Where', [on, low, emit.floats([-Infinity], [])], {}, base);
      const highM = emit.op('Where', [on, high, emit.floats([Infinity], [])], {}, base);
      const b: Bounds = { low, range, on, lowM, highM };
      const scalarBounds = numel(shape(node.inputs[1])) === 1 && (o.symmetric || numel(shape(node.inputs[2])) === 1);
      const { clamped, shifted } = quantize(emit, node.inputs[0], b, o, scalarBounds, node.outputs[0], base);
      return { saved: { range, on, clamped, shifted } };
    },
    // Straight-through (NNCF's masks as float products, no full-size selects: Where is several times
    // slower than Mul on ORT's CPU kernels): dx = dy inside [low, high] (everywhere while off: the clamp
    // bounds are ±∞), else 0. The range gradient per element is (fq − x)/range inside,
    // sign·level_low/level_high below, 1 above.
    backward: ({ emit, node, dOutputs, needs, saved, shape }) => {
      const o = params(node);
      const base = node.name;
      const op = (t: string, ins: string[]) => emit.op(t, ins, {}, base);
      const c = (v: number) => emit.floats([v], []);
      const dy = dOutputs[0]!;
      const x = node.inputs[0];
      const fq = node.outputs[0];
      const { range, on, clamped, shifted } = saved;
      const rank = shape(x).length;
      const toParam = (g: string, port: number) => sumToShape(emit, g, shape(node.inputs[port]), rank, base);
      const inside = emit.op('Cast', [op('Equal', [clamped, x])], { to: 1 }, base);
      const dx = op('Mul', [dy, inside]);
      const grads: (string | undefined)[] = node.inputs.map(() => undefined);
      if (needs[0]) grads[0] = dx;
      // parameter gradients are 0 while off (an exact 0: Where, not a product with a possibly non-finite value)
      const whenOn = (g: string) => op('Where', [on, g, c(0)]);
      const rangePort = o.symmetric ? 1 : 2;
      const absRange = () => op('Mul', [range, op('Sign', [range])]);
      let dRange: string | undefined;
      if (needs[rangePort] && zeroLow(o)) {
        // Nothing below low = 0 counts (level_low 0), and above the output is fq = high = range (to an ulp):
        // one weight w = fq − inside·x gives (fq − x) inside, ≈ range above, 0 below (fq = 0 there), so
        // Σ dy·w / |range| is NNCF's sum in one product and one reduction.
        const w = op('Sub', [fq, op('Mul', [inside, x])]);
        dRange = op('Div', [toParam(op('Mul', [dy, w]), rangePort), absRange()]);
      }
      // dy where the input was clamped, 0 inside (exactly)
      const outside = (needs[rangePort] && !zeroLow(o)) || (!o.symmetric && needs[1]) ? op('Sub', [dy, dx]) : undefined;
      if (needs[rangePort] && !zeroLow(o)) {
        // Outside [low, high] the weight is a + (1 − a)·(clamped − low)/range with a = sign·level_low/level_high:
        // a below (clamped − low = 0), 1 above (clamped − low = range, to an ulp).
        const sign = op('Sign', [range]);
        const a = op('Mul', [sign, c(o.levelLow / o.levelHigh)]);
        const sumIn = toParam(op('Mul', [dx, op('Sub', [fq, x])]), rangePort);
        const sumOut = toParam(op('Mul', [outside!, shifted]), rangePort);
        dRange = op('Add', [op('Div', [sumIn, absRange()]), op('Div', [op('Mul', [sumOut, op('Sub', [c(1), a])]), range])]);
        if (o.levelLow !== 0) dRange = op('Add', [dRange, op('Mul', [a, toParam(outside!, rangePort)])]);
      }
      if (dRange !== undefined) {
        // NNCF hands grad_range to the parameter through its parametrization: sign(p) (torch's abs), or exp(p).
        const p = node.inputs[rangePort];
        grads[rangePort] = whenOn(op('Mul', [dRange, op(o.log ? 'Exp' : 'Sign', [p])]));
      }
      if (!o.symmetric && needs[1]) grads[1] = whenOn(toParam(outside!, 1));
      return grads;
    },
  },
  COMPRESSION_DOMAIN,
);

