import { describe, expect, it } from 'vitest';
import { fitToSampleShape, ndarray, parsePreprocessSpec, preprocess, transposeNd } from '../../src/data/index.js';

describe('preprocess', () => {
  it('scales uint8 to float32 and adds a channel axis', () => {
    const x = ndarray('uint8', [2, 2, 2], Uint8Array.from([0, 51, 102, 255, 1, 2, 3, 4]));
    const y = preprocess(x, { scale: 1 / 255, addChannel: 'first' });
    expect(y.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(y.data.subarray(0, 4))).toEqual([0, 0.2, 0.4, 1].map(Math.fround));
    expect(preprocess(x, { addChannel: 'last' }).shape).toEqual([2, 2, 2, 1]);
    expect(x.data[1]).toBe(51); // input untouched
  });

  it('converts NHWC to NCHW and back, then normalizes per channel', () => {
    // N=1, H=1, W=2, C=3: pixels (1,2,3) and (4,5,6)
    const nhwc = ndarray('float32', [1, 1, 2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const nchw = preprocess(nhwc, { layout: 'nhwc-to-nchw' });
    expect(nchw.shape).toEqual([1, 3, 1, 2]);
    expect(Array.from(nchw.data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(preprocess(nchw, { layout: 'nchw-to-nhwc' }).data)).toEqual([1, 2, 3, 4, 5, 6]);
    const norm = preprocess(nhwc, { layout: 'nhwc-to-nchw', mean: [1, 2, 3], std: [1, 2, 4] });
    expect(Array.from(norm.data)).toEqual([0, 3, 0, 1.5, 0, 0.75]);
    const last = preprocess(nhwc, { mean: [1, 2, 3], std: 1, channelAxis: 3 });
    expect(Array.from(last.data)).toEqual([0, 0, 0, 3, 3, 3]);
    expect(Array.from(nhwc.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('applies scalar mean/std after scale', () => {
    const x = ndarray('float32', [1, 2], Float32Array.from([255, 0]));
    expect(Array.from(preprocess(x, { scale: 1 / 255, mean: 0.5, std: 0.25 }).data)).toEqual([2, -2]);
  });

  it('reports bad options clearly', () => {
    const x = ndarray('float32', [2, 3, 4]);
    expect(() => preprocess(x, { layout: 'nhwc-to-nchw' })).toThrow(/needs rank-4 data, got shape \[2, 3, 4\]/);
    expect(() => preprocess(x, { mean: [1, 2] })).toThrow(/mean has 2 values but the data has 3 channels/);
    expect(() => preprocess(x, { std: 0 })).toThrow(/std must not be 0/);
  });

  it('parses the CLI spec', () => {
    expect(parsePreprocessSpec('scale=1/255, mean=0.485:0.456:0.406,std=0.2,channel=first,layout=nhwc-to-nchw')).toEqual({
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: 0.2,
      addChannel: 'first',
      layout: 'nhwc-to-nchw',
    });
    expect(() => parsePreprocessSpec('scale=abc')).toThrow(/scale: 'abc' is not a number/);
    expect(() => parsePreprocessSpec('shift=1')).toThrow(/unknown preprocess option 'shift'/);
    expect(() => parsePreprocessSpec('layout=chw')).toThrow(/expected nhwc-to-nchw or nchw-to-nhwc/);
    expect(() => parsePreprocessSpec('channel=middle')).toThrow(/expected first or last/);
  });

  it('transposes any rank like numpy', () => {
    const a = ndarray('int32', [2, 3, 4], Int32Array.from({ length: 24 }, (_, i) => i));
    const t = transposeNd(a, [2, 0, 1]);
    expect(t.shape).toEqual([4, 2, 3]);
    // t[k, i, j] = a[i, j, k]
    expect(t.data[1 * 6 + 1 * 3 + 2]).toBe(1 * 12 + 2 * 4 + 1);
    expect(() => transposeNd(a, [0, 0, 1])).toThrow(/invalid permutation/);
  });
});

describe('fitToSampleShape', () => {
  const arr = (shape: number[]) => ndarray('float32', shape);
  it('accepts N×S, a single sample S, and inserts size-1 axes', () => {
    expect(fitToSampleShape(arr([5, 1, 28, 28]), [1, 28, 28], 'd').shape).toEqual([5, 1, 28, 28]);
    expect(fitToSampleShape(arr([3, 8, 8]), [3, 8, 8], 'd').shape).toEqual([1, 3, 8, 8]);
    expect(fitToSampleShape(arr([5, 28, 28]), [1, 28, 28], 'd').shape).toEqual([5, 1, 28, 28]);
    expect(fitToSampleShape(arr([5, 28, 28]), [28, 28, 1], 'd').shape).toEqual([5, 28, 28, 1]);
    expect(fitToSampleShape(arr([5, 3, 9, 7]), [3, null, 'w'], 'd').shape).toEqual([5, 3, 9, 7]);
  });
  it('names the file and both shapes when the data does not fit', () => {
    expect(() => fitToSampleShape(arr([5, 3, 28, 28]), [1, 28, 28], 'x.npy')).toThrow(
      'x.npy: data of shape [5, 3, 28, 28] does not fit the model input [1, 28, 28] (expected N×[1, 28, 28])',
    );
    expect(() => fitToSampleShape(arr([5, 784]), [1, 28, 28], 'x.npy')).toThrow(/does not fit/);
  });
});

describe('castNd', () => {
  it('casts between numeric dtypes', async () => {
    const { castNd } = await import('../../src/data/index.js');
    const f64 = ndarray('float64', [3], Float64Array.from([1.5, -2.7, 0]));
    expect(Array.from(castNd(f64, 'float32').data)).toEqual([1.5, Math.fround(-2.7), 0]);
    expect(Array.from(castNd(f64, 'int64').data)).toEqual([1n, -2n, 0n]);
    expect(Array.from(castNd(f64, 'bool').data)).toEqual([1, 1, 0]);
    expect(Array.from(castNd(ndarray('int64', [2], BigInt64Array.from([5n, -1n])), 'float32').data)).toEqual([5, -1]);
    expect(Array.from(castNd(ndarray('float16', [1], Uint16Array.from([0x3e00])), 'float64').data)).toEqual([1.5]);
    expect(castNd(f64, 'float64')).toBe(f64);
    expect(() => castNd(f64, 'float16')).toThrow(/cannot cast float64 to float16/);
  });
});

describe('transposeNd against a naive reference', () => {
  it('agrees on 300 random shapes and permutations (size-1 axes, merged runs, identity)', async () => {
    const { Random } = await import('../../src/data/index.js');
    const rng = new Random(2024);
    for (let t = 0; t < 300; t++) {
      const rank = 1 + rng.int(5);
      const shape = Array.from({ length: rank }, () => 1 + rng.int(4));
      const perm = Array.from(rng.permutation(rank));
      const n = shape.reduce((a, b) => a * b, 1);
      const a = ndarray('int32', shape, Int32Array.from({ length: n }, (_, i) => i));
      const got = transposeNd(a, perm);
      const outShape = perm.map((p) => shape[p]);
      expect(got.shape).toEqual(outShape);
      // naive: for each output multi-index, read the input element
      const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
      for (let o = 0; o < n; o++) {
        let rem = o;
        let src = 0;
        for (let ax = rank - 1; ax >= 0; ax--) {
          const i = rem % outShape[ax];
          rem = Math.floor(rem / outShape[ax]);
          src += i * inStrides[perm[ax]];
        }
        if (got.data[o] !== src) throw new Error(`shape [${shape}] perm [${perm}] out ${o}: ${got.data[o]} != ${src}`);
      }
    }
  });
});
