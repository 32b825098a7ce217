import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { DataError, encodeIdx, ndarray, parseIdx, readIdx, loadData } from '../../src/data/index.js';

const header = (...b: number[]) => new Uint8Array(b);

describe('IDX', () => {
  it('decodes uint8 images with big-endian dims, raw and gzipped', () => {
    const raw = new Uint8Array([0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      const a = parseIdx(bytes);
      expect(a.dtype).toBe('uint8');
      expect(a.shape).toEqual([2, 2, 3]);
      expect(Array.from(a.data as Uint8Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }
  });

  it('decodes every IDX type code (big-endian data) and round-trips encodeIdx', () => {
    const cases = [
      ndarray('int8', [3], Int8Array.from([-128, 0, 127])),
      ndarray('int16', [3], Int16Array.from([-300, 1, 32767])),
      ndarray('int32', [3], Int32Array.from([-70000, 2, 2 ** 31 - 1])),
      ndarray('float32', [3], Float32Array.from([1.5, -0.125, 1e20])),
      ndarray('float64', [3], Float64Array.from([Math.E, -1, 1e-300])),
    ];
    for (const arr of cases) {
      const back = parseIdx(encodeIdx(arr));
      expect(back.dtype).toBe(arr.dtype);
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(Array.from(arr.data as ArrayLike<number>));
    }
    // explicit big-endian int16 bytes: 0x0102 = 258, 0xfffe = -2
    const i16 = parseIdx(header(0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe));
    expect(Array.from(i16.data as Int16Array)).toEqual([258, -2]);
  });

  it('gives clear errors for header problems, wrong magic, truncation and corrupt gzip', () => {
    expect(() => parseIdx(header(0, 0), 'f')).toThrow(/f: too short for an IDX header \(2 bytes\)/);
    expect(() => parseIdx(header(0x50, 0x4b, 3, 4, 0, 0, 0, 1, 9), 'z.idx')).toThrow(
      /z\.idx: wrong magic 50 4b 03 04; an IDX file starts with 00 00 <type> <ndims>/,
    );
    expect(() => parseIdx(header(0, 0, 0x07, 1, 0, 0, 0, 1, 9))).toThrow(/unknown IDX data type code 0x07/);
    expect(() => parseIdx(header(0, 0, 0x08, 0))).toThrow(/declares 0 dimensions/);
    expect(() => parseIdx(header(0, 0, 0x08, 3, 0, 0, 0, 1, 0, 0))).toThrow(
      /truncated header: 3 dimensions need 16 bytes, file has 10/,
    );
    expect(() => parseIdx(header(0, 0, 0x0c, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5), 'x')).toThrow(
      /x: truncated data: shape \[2, 2\] needs 16 bytes, file has 5/,
    );
    expect(() => parseIdx(header(0, 0, 0x08, 1, 0, 0, 0, 1, 7, 8))).toThrow(/1 unexpected bytes after the data/);
    const gz = gzipSync(Buffer.from(encodeIdx(ndarray('uint8', [100], new Uint8Array(100).fill(3)))));
    expect(() => parseIdx(new Uint8Array(gz.subarray(0, gz.length - 10)), 'cut.gz')).toThrow(
      /cut\.gz: corrupt or truncated gzip data/,
    );
    expect(() => parseIdx(header(0x50, 0x4b, 3, 4))).toThrow(DataError);
  });

  const dir = '.cache/data/fashion-mnist';
  it.runIf(existsSync(`${dir}/t10k-images-idx3-ubyte.gz`))('reads the real Fashion-MNIST test set', async () => {
    const images = await readIdx(`${dir}/t10k-images-idx3-ubyte.gz`);
    const labels = await readIdx(`${dir}/t10k-labels-idx1-ubyte.gz`);
    expect(images.shape).toEqual([10000, 28, 28]);
    expect(labels.shape).toEqual([10000]);
    const hist = new Array(10).fill(0);
    for (const l of labels.data as Uint8Array) hist[l]++;
    expect(hist).toEqual(new Array(10).fill(1000));
    let max = 0;
    for (const v of images.data as Uint8Array) max = Math.max(max, v);
    expect(max).toBe(255);

    // the loader pairs labels with images, scales and adds the channel axis
    const ds = await loadData(`${dir}/t10k-images-idx3-ubyte.gz`, {
      preprocess: { scale: 1 / 255 },
      sampleShape: [1, 28, 28],
      limit: 500,
    });
    expect(ds.x.shape).toEqual([500, 1, 28, 28]);
    expect(ds.x.dtype).toBe('float32');
    expect(ds.x.data[100]).toBeCloseTo((images.data as Uint8Array)[100] / 255, 6);
    expect(Array.from(ds.labelIds().subarray(0, 10))).toEqual(Array.from((labels.data as Uint8Array).subarray(0, 10)));
    await expect(loadData(dir)).rejects.toThrow(/several IDX images files \(t10k-images-idx3-ubyte\.gz, train-images-idx3-ubyte\.gz\)/);
    expect((await loadData(dir, { split: 't10k', limit: 3 })).length).toBe(3);
  });
});
