/**
 * The graph-node form of an insertion command: the same operation the command's hook runs on the
 * tfjs engine, written as one ONNX node of the compression domain. The training-graph compiler
 * (autodiff) splices it in at the command's point — on a weight between the initializer and its
 * consumers, on an edge right after the producer (or before the listed consumers) — and expands it
 * through the gradient rule registered for (COMPRESSION_DOMAIN, opType): standard ONNX ops forward,
 * the algorithm's own (e.g. straight-through) gradients backward. So a compressed model trains on ONNX
 * Runtime with the same numbers as on the engine, and exporters lower the same node.
 *
 * Contract (every algorithm follows it):
 * - input 0 of the node is the value at the point (ONNX layout), output 0 replaces it (same shape);
 * - `graphInputs` (optional) follow: tensors of the source graph the op also reads (elastic depth's
 *   skip reads the block's input), wired to their current value in the spliced graph;
 * - `inputs` follow in order; each is fed at every step from its tensor, so scheduler and mask
 *   updates need no recompile (a staged "enabled" flag is such an input, a 0-d float);
 * - trainable inputs get gradients back (without `lrMultiplier`: the trainer multiplies them, NNCF's
 *   compression_lr_multiplier) and are applied by the trainer's optimizer to the same tf.Variable the hook reads;
 * - values are given in ONNX layout: a variable kept in the engine's native layout supplies `toOnnx`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { AttributeValue } from '../graph/index.js';

/** Domain of every compression node (fake quantizers, masks, binarizers, elastic ops). */
export const COMPRESSION_DOMAIN = 'ai.nncf-ts';

export interface CompressionNodeInput {
  /** Graph-unique input name, e.g. "quantization/q3/scale". */
  name: string;
  /** The tensor the hook reads (a tf.Variable when trainable). Read again at every step. */
  value: tf.Tensor;
  /** Converts `value` to ONNX layout when it is stored in the engine's layout (per-channel weights). */
  toOnnx?: (value: tf.Tensor) => tf.Tensor;
  /** Converts a gradient in ONNX layout back to `value`'s layout (the inverse of `toOnnx`). */
  fromOnnx?: (grad: tf.Tensor) => tf.Tensor;
  trainable: boolean;
  /**
   * NNCF's compression_lr_multiplier; 1 when absent. The training graph returns the plain gradient: the
   * trainer multiplies this input's gradient by it (NNCF's CompressionParameter grad hook, as the
   * engine's ops do) — not the learning rate, which differs under Adam.
   */
  lrMultiplier?: number;
  /**
   * For trainable inputs: false while the hook does not read this input (a disabled staged quantizer or
   * binarizer). The graph's gradient is then exactly 0, but the hook's is none, and the trainer passes
   * none, so the optimizer skips the parameter as torch skips `grad is None` (with Adam, weight decay on a
   * zero gradient would otherwise step by a full LR). Absent: always read.
   */
  active?: () => boolean;
}

export interface CompressionNodeForm {
  /** Op type inside COMPRESSION_DOMAIN, e.g. "FakeQuantize", "Mask", "RBMask", "Binarize". */
  opType: string;
  attributes?: Record<string, AttributeValue>;
  /** Source-graph tensors read after the hooked value (ports 1…), before `inputs`. */
  graphInputs?: string[];
  /** Fed inputs after the hooked value and `graphInputs`, in port order. */
  inputs: CompressionNodeInput[];
}
