/** Shared pieces of the FakeQuantize tests: closeness of arrays, and quantizers released after each test. */
import { afterEach, expect } from 'vitest';
import { Quantizer, type QuantizerSpec } from '../../src/algorithms/quantization/fake-quantize/index.js';

/** Same length and every element close to the expected value (toBeCloseTo with `digits`). */
export const near = (actual: ArrayLike<number>, expected: number[], digits = 6) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
};

/** A Quantizer factory whose quantizers (and those handed to `track`, e.g. from fromState) are disposed after each test of the calling file. */
export function quantizerFactory(): ((spec: QuantizerSpec) => Quantizer) & { track: (q: Quantizer) => Quantizer } {
  const made: Quantizer[] = [];
  afterEach(() => made.splice(0).forEach((q) => q.dispose()));
  const track = (q: Quantizer) => (made.push(q), q);
  return Object.assign((spec: QuantizerSpec) => track(new Quantizer(spec)), { track });
}
