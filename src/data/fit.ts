import { DataError } from './errors.js';
import { shapeSize, type NdArray } from './ndarray.js';

/** A sample shape with optional wildcards (null or a symbolic name match any size). */
export type SampleShape = readonly (number | string | null)[];

const fmt = (s: readonly unknown[]): string => `[${s.map((d) => (typeof d === 'number' ? d : '?')).join(', ')}]`;

function matches(actual: readonly number[], expected: SampleShape): boolean {
  return actual.length === expected.length && actual.every((d, i) => typeof expected[i] !== 'number' || expected[i] === d);
}

/**
 * Makes `arr` an N×`sampleShape` batch without moving data: it may already be one (N×S), be a single
 * sample (S → 1×S), or differ only by size-1 axes (N×28×28 for S = 1×28×28). Anything else is a DataError
 * naming `where`. Returns the same data with the fitted shape.
 */
export function fitToSampleShape<A extends NdArray>(arr: A, sampleShape: SampleShape, where: string): A {
  const a = arr.shape;
  if (a.length === sampleShape.length + 1 && matches(a.slice(1), sampleShape)) return arr;
  if (matches(a, sampleShape)) return { ...arr, shape: [1, ...a] };
  if (a.length >= 1) {
    const squeeze = (s: readonly (number | string | null)[]) => s.filter((d) => d !== 1);
    const tail = squeeze(a.slice(1)) as number[];
    const want = squeeze(sampleShape);
    if (matches(tail, want)) {
      const filled: number[] = [];
      let k = 0;
      for (const d of sampleShape) filled.push(d === 1 ? 1 : tail[k++]);
      if (shapeSize(filled) * a[0] === arr.data.length) return { ...arr, shape: [a[0], ...filled] };
    }
  }
  throw new DataError(`${where}: data of shape ${fmt(a)} does not fit the model input ${fmt(sampleShape)} (expected N×${fmt(sampleShape)})`);
}
