/**
 * Node forms and gradient rules of binarization (compression domain), op for op as binarize-ops.ts:
 * - BinarizeWeight(w, enabled), attribute mode "xnor"|"dorefa": forward sign·mean|w| (Where on the 0-d
 *   enabled flag, so a disabled binarizer passes w bit-exactly), backward straight-through dw = dy;
 * - BinarizeActivation(x, scale_log, threshold_logit, enabled): forward exp(scale)·[x > sigmoid(t)·exp(scale)],
 *   backward NNCF's formulas (dx; the log-scale and threshold-logit gradients through exp and sigmoid),
 *   zero to the parameters and identity to x when disabled. compression_lr_multiplier is not applied
 *   here: the trainer applies the inputs' `lrMultiplier` (node-form.ts).
 */
import { registerGradientRule, stringAttr } from '../../autodiff/index.js';
import { COMPRESSION_DOMAIN, type CompressionNodeForm, type CompressionNodeInput } from '../../compression/index.js';
import type { Dim } from '../../graph/index.js';

export const BINARIZE_WEIGHT_OP = 'BinarizeWeight';
export const BINARIZE_ACTIVATION_OP = 'BinarizeActivation';

export function weightNodeForm(mode: string, enabled: Omit<CompressionNodeInput, 'trainable'>): CompressionNodeForm {
  return { opType: BINARIZE_WEIGHT_OP, attributes: { mode: { type: 'string', value: mode } }, inputs: [{ ...enabled, trainable: false }] };
}

export function activationNodeForm(scale: CompressionNodeInput, threshold: CompressionNodeInput, enabled: Omit<CompressionNodeInput, 'trainable'>): CompressionNodeForm {
  return { opType: BINARIZE_ACTIVATION_OP, inputs: [scale, threshold, { ...enabled, trainable: false }] };
}

registerGradientRule(
  {
    opTypes: [BINARIZE_WEIGHT_OP],
    parameterPorts: [0],
    forward: ({ emit, node, shape }) => {
      const base = node.name;
      const op = (t: string, ins: string[]) => emit.op(t, ins, {}, base);
      const w = node.inputs[0];
      const rank = shape(w).length;
      const xnor = stringAttr(node, 'mode', 'xnor') === 'xnor';
      const axes = Array.from({ length: rank }, (_, i) => i).filter((i) => !xnor || i > 0);
      const alpha = emit.reduceMean(op('Abs', [w]), axes, true, base);
      const pos = emit.op('Cast', [op('Greater', [w, emit.floats([0], [])])], { to: 1 }, base);
      const sign = op('Sub', [op('Mul', [pos, emit.floats([2], [])]), emit.floats([1], [])]);
      const on = emit.op('Cast', [node.inputs[1]], { to: 9 }, base);
      emit.nodeOutputs('Where', [on, op('Mul', [sign, alpha]), w], {}, [node.outputs[0]], base);
      return {};
    },
    backward: ({ dOutputs, needs }) => [needs[0] ? dOutputs[0] : undefined, undefined],
  },
  COMPRESSION_DOMAIN,
);

/** Sums a broadcast gradient back to the parameter's static shape. */
function sumToShape(emit: Parameters<Parameters<typeof registerGradientRule>[0]['backward']>[0]['emit'], g: string, param: Dim[], rank: number, base: string): string {
  const dims = param.map((d) => (typeof d === 'number' ? d : 1));
  const padded = [...Array(rank - dims.length).fill(1), ...dims];
  const axes = padded.flatMap((d, i) => (d === 1 ? [i] : []));
  const summed = axes.length ? emit.reduceSum(g, axes, true, base) : g;
  return emit.reshape(summed, dims, base);
}

registerGradientRule(
  {
    opTypes: [BINARIZE_ACTIVATION_OP],
    forward: ({ emit, node }) => {
      const base = node.name;
      const op = (t: string, ins: string[]) => emit.op(t, ins, {}, base);
      const [x, scaleLog, thrLogit, flag] = node.inputs;
      const s = op('Exp', [scaleLog]);
      const sig = op('Sigmoid', [thrLogit]);
      const yb = op('Mul', [emit.op('Cast', [op('Greater', [x, op('Mul', [sig, s])])], { to: 1 }, base), s]);
      const on = emit.op('Cast', [flag], { to: 9 }, base);
      emit.nodeOutputs('Where', [on, yb, x], {}, [node.outputs[0]], base);
      return { saved: { s, sig, yb, on } };
    },
    backward: ({ emit, node, dOutputs, needs, saved, shape }) => {
      const base = node.name;
      const op = (t: string, ins: string[]) => emit.op(t, ins, {}, base);
      const f = (b: string) => emit.op('Cast', [b], { to: 1 }, base);
      const c = (v: number) => emit.floats([v], []);
      const g = dOutputs[0]!;
      const [x, scaleLog, thrLogit, flag] = node.inputs;
      const { s, sig, yb, on } = saved;
      const rank = shape(x).length;
      // LessEqual/GreaterOrEqual as Not of the strict comparison (ORT's kernels for those are not in every opset)
      const ml = f(op('Not', [op('Greater', [x, s])]));
      const grads: (string | undefined)[] = [undefined, undefined, undefined, undefined];
      if (needs[0]) grads[0] = op('Where', [on, op('Mul', [op('Mul', [g, f(op('Not', [op('Less', [x, c(0)])]))]), ml]), g]);
      if (needs[1]) {
        const err = op('Div', [op('Sub', [yb, x]), s]);
        const per = op('Add', [op('Mul', [ml, err]), op('Sub', [c(1), ml])]);
        const ds = sumToShape(emit, op('Mul', [g, per]), shape(scaleLog), rank, base);
        grads[1] = op('Mul', [op('Mul', [ds, s]), flag]);
      }
      if (needs[2]) {
        const inside = op('Mul', [f(op('Greater', [x, c(0)])), f(op('Less', [x, s]))]);
        const dthr = sumToShape(emit, op('Neg', [op('Mul', [g, inside])]), shape(thrLogit), rank, base);
        grads[2] = op('Mul', [op('Mul', [dthr, op('Mul', [sig, op('Sub', [c(1), sig])])]), flag]);
      }
      return grads;
    },
  },
  COMPRESSION_DOMAIN,
);
