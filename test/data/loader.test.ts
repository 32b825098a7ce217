import { describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIdx, encodeNpy, encodeNpz, loadData, ndarray, parseNpz, writeNpz, readNpz } from '../../src/data/index.js';

const seq = (n: number, from = 0) => Float32Array.from({ length: n }, (_, i) => from + i);

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'loader-'));
}

describe('npz', () => {
  it('round-trips stored and deflated archives', async () => {
    const arrays = { x: ndarray('float32', [2, 2], seq(4)), y: ndarray('int64', [2], BigInt64Array.from([1n, 0n])) };
    for (const compress of [false, true]) {
      const back = parseNpz(encodeNpz(arrays, compress));
      expect(Object.keys(back)).toEqual(['x', 'y']);
      expect(Array.from(back.x.data as Float32Array)).toEqual([0, 1, 2, 3]);
      expect(Array.from(back.y.data as BigInt64Array)).toEqual([1n, 0n]);
    }
    const dir = await tmp();
    await writeNpz(join(dir, 'a.npz'), arrays, true);
    expect((await readNpz(join(dir, 'a.npz'))).x.shape).toEqual([2, 2]);
  });
  it('reads numpy.savez_compressed output (zip64 members)', () => {
    // np.savez_compressed(f, x=np.arange(6, dtype=np.float32).reshape(2, 3), y=np.array([1, 0]))
    const npz = parseNpz(new Uint8Array(Buffer.from('UEsDBC0AAAAIAAAAIQBP6QAq//////////8FABQAeC5ucHkBABAAmAAAAAAAAABVAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsaaOgq1CmQDLgYwaLAHEg5ABMQNQLzAAQBQSwMELQAAAAgAAAAhAHH7Oav//////////wUAFAB5Lm5weQEAEACQAAAAAAAAAEgAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNpoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjqaOgq1ChQALkYGVAAAUEsBAi0DLQAAAAgAAAAhAE/pACpVAAAAmAAAAAUAAAAAAAAAAAAAAIABAAAAAHgubnB5UEsBAi0DLQAAAAgAAAAhAHH7OatIAAAAkAAAAAUAAAAAAAAAAAAAAIABjAAAAHkubnB5UEsFBgAAAAACAAIAZgAAAAsBAAAAAA==', 'base64')));
    expect(npz.x.shape).toEqual([2, 3]);
    expect(Array.from(npz.x.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(npz.y.data as BigInt64Array)).toEqual([1n, 0n]);
  });
  it('rejects non-zip and corrupt archives', () => {
    expect(() => parseNpz(new Uint8Array([1, 2, 3, 4]), 'a.npz')).toThrow(/a\.npz: not a \.npz file/);
    const bytes = encodeNpz({ x: ndarray('float32', [100], seq(100)) }, true);
    expect(() => parseNpz(bytes.subarray(0, 60), 'b.npz')).toThrow(/b\.npz: corrupt zip archive/);
  });
});

describe('loadData', () => {
  it('loads an N×… .npy file and checks it against the model sample shape', async () => {
    const dir = await tmp();
    const path = join(dir, 'x.npy');
    await writeFile(path, encodeNpy(ndarray('float32', [4, 3, 2], seq(24))));
    const ds = await loadData(path);
    expect(ds.x.shape).toEqual([4, 3, 2]);
    expect((await loadData(path, { sampleShape: [1, 3, 2] })).x.shape).toEqual([4, 1, 3, 2]);
    expect((await loadData(path, { limit: 2 })).length).toBe(2);
    await expect(loadData(path, { sampleShape: [3, 3] })).rejects.toThrow(/x\.npy: data of shape \[4, 3, 2\] does not fit the model input \[3, 3\]/);
  });

  it('loads an .npz with x and y', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'd.npz'), encodeNpz({ inputs: ndarray('float32', [3, 2], seq(6)), labels: ndarray('int32', [3], Int32Array.from([2, 0, 1])) }));
    const ds = await loadData(join(dir, 'd.npz'));
    expect(ds.x.shape).toEqual([3, 2]);
    expect(Array.from(ds.labelIds())).toEqual([2, 0, 1]);
  });

  it('loads a directory of .npy files (single samples and batches), in numeric name order, with labels.npy', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 's10.npy'), encodeNpy(ndarray('float32', [2, 2], seq(4, 100))));
    await writeFile(join(dir, 's2.npy'), encodeNpy(ndarray('float32', [3, 2, 2], seq(12))));
    await writeFile(join(dir, 'labels.npy'), encodeNpy(ndarray('uint8', [4], Uint8Array.from([0, 1, 2, 3]))));
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const ds = await loadData(dir, { sampleShape: [2, 2] });
    expect(ds.x.shape).toEqual([4, 2, 2]);
    expect(Array.from((ds.x.data as Float32Array).subarray(12))).toEqual([100, 101, 102, 103]);
    expect(Array.from(ds.labelIds())).toEqual([0, 1, 2, 3]);
    await expect(loadData(dir)).rejects.toThrow(/do not stack/);
    await writeFile(join(dir, 's3.npy'), encodeNpy(ndarray('float32', [5])));
    await expect(loadData(dir, { sampleShape: [2, 2] })).rejects.toThrow(/s3\.npy: data of shape \[5\] does not fit/);
  });

  it('loads IDX images with their labels and applies preprocessing', async () => {
    const dir = await tmp();
    const images = ndarray('uint8', [3, 2, 2], Uint8Array.from({ length: 12 }, (_, i) => i * 20));
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx(images)));
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), encodeIdx(ndarray('uint8', [3], Uint8Array.from([7, 8, 9]))));
    const ds = await loadData(dir, { preprocess: { scale: 1 / 255, addChannel: 'first' }, sampleShape: [1, 2, 2] });
    expect(ds.x.shape).toEqual([3, 1, 2, 2]);
    expect(ds.x.data[5]).toBeCloseTo(100 / 255, 6);
    expect(Array.from(ds.labelIds())).toEqual([7, 8, 9]);
    await writeFile(join(dir, 'train-labels-idx1-ubyte'), encodeIdx(ndarray('uint8', [2])));
    await expect(loadData(join(dir, 'train-images-idx3-ubyte.gz'))).rejects.toThrow(/2 labels for 3 images/);
    await expect(loadData(dir, { split: 'test' })).rejects.toThrow(/no single images file for split 'test'/);
  });

  it('reports missing paths, empty directories and unknown formats', async () => {
    const dir = await tmp();
    await expect(loadData(join(dir, 'nope.npy'))).rejects.toThrow(/cannot read .*nope\.npy: no such file or directory/);
    await mkdir(join(dir, 'empty'));
    await expect(loadData(join(dir, 'empty'))).rejects.toThrow(/no \.npy or IDX \(\*-ubyte\[\.gz\]\) files/);
    await writeFile(join(dir, 'x.txt'), 'a,b');
    await expect(loadData(join(dir, 'x.txt'))).rejects.toThrow(/x\.txt: unknown data format/);
    await writeFile(join(dir, 'x.csv'), 'a,b');
    await expect(loadData(join(dir, 'x.csv'))).rejects.toThrow(/x\.csv:1: expected 65 values, found 2/);
    await writeFile(join(dir, 'bad-ubyte'), new Uint8Array([1, 2, 3, 4, 5]));
    await expect(loadData(join(dir, 'bad-ubyte'))).rejects.toThrow(/bad-ubyte: wrong magic 01 02 03 04/);
  });
});
