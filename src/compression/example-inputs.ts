/**
 * Example inputs built from `input_info` with NNCF's fillers (FillerInputElement.get_tensor_for_input):
 * ones, zeros, or uniform [0,1) random — seeded here, so the same seed gives the same tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../data/random.js';
import { tfDtype } from '../engine/index.js';
import type { ResolvedInput } from './input-info.js';

/** Values of one example input, in the order of a row-major array of `input.shape`. */
export function exampleValues(input: ResolvedInput, random: Random): Float32Array | Int32Array {
  const n = input.shape.reduce((a, b) => a * b, 1);
  const ints = tfDtype(input.dtype) !== 'float32'; // int32 and bool
  const out = ints ? new Int32Array(n) : new Float32Array(n);
  if (input.filler === 'ones') out.fill(1);
  else if (input.filler === 'random') for (let i = 0; i < n; i++) out[i] = random.float();
  return out;
}

/**
 * One tensor per input, keyed by graph input name (the engine's feeds). Inputs draw from one seeded
 * stream in input order. The caller owns (and disposes) the tensors.
 */
export function exampleFeeds(inputs: readonly ResolvedInput[], seed = 0): Record<string, tf.Tensor> {
  const random = new Random(seed);
  const feeds: Record<string, tf.Tensor> = {};
  for (const input of inputs)
    feeds[input.name] = tf.tensor(exampleValues(input, random), input.shape, tfDtype(input.dtype));
  return feeds;
}
