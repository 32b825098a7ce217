/**
 * NNCF's padding adjustment (HW config `adjust_padding`, only NPU's Convolution has it): NPU runs
 * unsigned 4-bit inputs as int4 by shifting them left by half the quantization range, so a zero padding
 * would become a non-zero value. NNCF therefore trains and exports such convolutions padded with
 * `(|scale| + eps) / 2` of their input quantizer instead of 0. It applies to a 2D, non-depthwise
 * Conv with padding whose weights have at most 4 bits and whose input quantizer is symmetric,
 * per-tensor, 4-bit and unsigned (NNCF's `_get_adjust_padding_args`). NNCF checks the sign after its
 * build-time range init; here range init (or a loaded state) comes after the hooks are in place, so the
 * hooks and the export check `signed` when they run: a signed input quantizer leaves the padding at 0.
 *
 * On the engine, padding with v is done exactly without a Pad op:
 *   conv(pad_v(x), w) = conv(pad_0(x − v), w) + v · Σ_{ci,kh,kw} w[co]
 * so the conv's input gets a pre-hook x ↦ x − v and its output a post-hook y ↦ y + v·S[co], both with
 * v taken from the live (trainable) scale, so gradients reach the scale through the padding as in NNCF.
 * The export writes the same thing as ONNX: Pad(constant v) before the Conv, whose pads become 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel, InsertionCommand } from '../../compression/index.js';
import { metatypeOf, type Graph, type GraphNode } from '../../graph/index.js';
import { hasAdjustPadding, type HwConfig } from '../../hardware/index.js';
import { QuantizationSetupError, type QuantizerModule } from './modules.js';

const OWNER = 'quantization';

export interface PaddingAdjustment {
  conv: string;
  /** The tensor the conv reads as input (its activation quantizer is on it). */
  input: string;
  output: string;
  activation: QuantizerModule;
  weight: QuantizerModule;
}

function convPads(node: GraphNode): number[] {
  const autoPad = node.attributes.auto_pad?.value;
  if (autoPad !== undefined && autoPad !== 'NOTSET')
    throw new QuantizationSetupError(`adjust_padding: Conv "${node.name}" uses auto_pad ${String(autoPad)}; nncf-ts adjusts explicit pads only`);
  const pads = node.attributes.pads?.value;
  return Array.isArray(pads) ? pads.map(Number) : [0, 0, 0, 0];
}

/** The convolutions NNCF adjusts, with the quantizers that decide the padding value. */
export function findPaddingAdjustments(graph: Graph, modules: readonly QuantizerModule[], hw: HwConfig | null): PaddingAdjustment[] {
  if (!hw || !hasAdjustPadding(hw, ['Convolution'])) return [];
  const out: PaddingAdjustment[] = [];
  for (const wm of modules) {
    const wp = wm.placed;
    if (wp.kind !== 'weight' || wp.unifiedScaleGroup !== undefined || wp.bits > 4) continue;
    const point = wp.points.find((p) => p.kind === 'weight');
    const node = point?.kind === 'weight' ? graph.node(point.node) : undefined;
    if (!node || node.opType !== 'Conv' || metatypeOf(graph, node) !== 'Conv2d') continue;
    const inputs = modules.filter(({ placed: ap }) => {
      if (ap.kind !== 'activation' || !ap.quantizedNodes.includes(node.name)) return false;
      return ap.mode === 'symmetric' && !ap.perChannel && ap.bits === 4 && ap.signed !== true;
    });
    // NNCF: `set(padding).pop()` — CPython pops the smallest small int first, so any zero pad disables it
    if (inputs.length === 0 || !(Math.min(...convPads(node)) > 0)) continue;
    for (const am of inputs) out.push({ conv: node.name, input: node.inputs[0], output: node.outputs[0], activation: am, weight: wm });
  }
  return out;
}

/** Adjusted now: the input quantizer turned out unsigned (range init or loaded state). */
export const isPaddingAdjusted = (a: PaddingAdjustment): boolean => !a.activation.quantizer.signed;

/** v = (|scale| + eps) / 2 of the activation quantizer, differentiable in its scale. */
export function paddingValue(a: PaddingAdjustment): tf.Tensor {
  return tf.div(a.activation.quantizer.safeScale(), 2);
}

/**
 * The engine commands: `output` hooks (y + v·S) must run before any quantizer on the conv output, and
 * `input` pre-hooks (x − v) after the quantizer on the conv input — the builder applies them around the
 * quantizers' own commands in that order.
 */
export function paddingAdjustmentCommands(adjustments: readonly PaddingAdjustment[], model: CompressedModel): { output: InsertionCommand[]; input: InsertionCommand[] } {
  const output: InsertionCommand[] = [];
  const input: InsertionCommand[] = [];
  for (const a of adjustments) {
    const weightName = a.weight.tensors[0];
    const w = model.engine.weights().find((x) => x.name === weightName);
    if (!w) throw new QuantizationSetupError(`adjust_padding: weight "${weightName}" of ${a.conv} is not an engine weight`);
    // output channels are ONNX axis 0 of the weight; the variable may be stored transposed
    const outAxis = w.perm ? w.perm.indexOf(0) : 0;
    input.push({
      point: { kind: 'tensor', name: a.input, consumers: [a.conv] },
      fn: (x) => (isPaddingAdjusted(a) ? tf.sub(x, paddingValue(a)) : x),
      owner: OWNER,
    });
    output.push({
      point: { kind: 'tensor', name: a.output },
      fn: (y, info) => {
        if (!isPaddingAdjusted(a)) return y;
        const wq = a.weight.quantizer.apply(w.variable);
        const axes = wq.shape.map((_, i) => i).filter((i) => i !== outAxis);
        const s = tf.mul(tf.sum(wq, axes), paddingValue(a));
        const shape = y.shape.map((_, i) => (i === info.axis(1) ? s.size : 1));
        return tf.add(y, tf.reshape(s, shape));
      },
      owner: OWNER,
    });
  }
  return { output, input };
}
