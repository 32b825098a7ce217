/**
 * Values crossing between a compression node's inputs (tf tensors, maybe in the engine's layout) and a
 * training graph (flat float arrays in ONNX layout): what the trainer feeds before each step and how a
 * returned gradient gets back to the variable's layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressionNodeInput } from './node-form.js';

/** The input's current value in ONNX layout, as dims + a fresh Float32Array. */
export function nodeInputValue(input: CompressionNodeInput): { dims: number[]; values: Float32Array } {
  return tf.tidy(() => {
    const t = input.toOnnx ? input.toOnnx(input.value) : input.value;
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
