/**
 * Values crossing between a compression node's inputs (tf tensors, maybe in the engine's layout) and a
 * training graph (flat float arrays in ONNX layout): what the trainer feeds before each step and how a
 * returned gradient gets back to the variable's layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressionNodeInput } from './node-form.js';

/** The input's current value in ONNX layout, as dims + a fresh Float32Array. */
export function nodeInputValue(input: CompressionNodeInput): { dims: number[]; values: Float32Array } {
  return onnxValue(input, input.value);
}

/** `value` (the input's tensor, read once by the caller) in ONNX layout. */
function onnxValue(input: CompressionNodeInput, value: tf.Tensor): { dims: number[]; values: Float32Array } {
  return tf.tidy(() => {
    const t = input.toOnnx ? input.toOnnx(value) : value;
    const values = t.dtype === 'float32' ? (t.dataSync() as Float32Array) : Float32Array.from(t.dataSync());
    return { dims: [...t.shape], values: Float32Array.from(values) };
  });
}

/** A gradient returned in ONNX layout (dims of nodeInputValue) as a tensor in the input's own layout (caller disposes). */
export function nodeInputGradient(input: CompressionNodeInput, grad: Float32Array, dims: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const g = tf.tensor(grad, [...dims], 'float32');
    return input.fromOnnx ? input.fromOnnx(g) : g;
  });
}

/**
 * Writes every node input's current value into the trainer step's maps before a step: trainable
 * inputs into `parameters`, the others (masks, staged flags) into `fed` (OrtTrainerStep's maps).
 */
export function refreshNodeInputs(
  feeds: ReadonlyMap<string, CompressionNodeInput>,
  target: { parameters: Map<string, Float32Array>; fed: Map<string, Float32Array> },
): void {
  for (const [name, input] of feeds) {
    const map = input.trainable ? target.parameters : target.fed;
    if (!map.has(name)) continue; // not on the loss path: the compiled graph does not read it
    map.set(name, nodeInputValue(input).values);
  }
}

/**
 * The fed (non-trainable) node inputs of a step, read again only when their tensor changed: a mask or
 * flag is kept as the same tensor between changes, and tfjs gives every new value (a fresh tensor, or
 * `Variable.assign`) a new data id. Saves a full read-back and copy of every mask per training step.
 */
export class FedInputReader {
  private readonly seen = new Map<string, object>();
  /** How many inputs the last `refresh` read (for tests and timing). */
  lastReads = 0;

  /** Sets `fed`'s entry of every non-trainable input the graph reads whose tensor is not the one read last time. */
  refresh(feeds: ReadonlyMap<string, CompressionNodeInput>, fed: Map<string, Float32Array>): void {
    this.lastReads = 0;
    for (const [name, input] of feeds) {
      if (input.trainable || !fed.has(name)) continue;
      const t = input.value;
      const id = t.dataId as object;
      if (this.seen.get(name) === id && !t.isDisposed) continue;
      fed.set(name, onnxValue(input, t).values);
      this.seen.set(name, id);
      this.lastReads++;
    }
  }
}
