/** Integer labels of every width load as plain numbers (issue 10: NumPy's default int64 gave "Cannot convert a BigInt value to a number"). */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, Dataset, allocTyped, classIds, encodeNpy, encodeNpz, labelsWithoutBigInt, loadData, ndarray, type NdDType } from '../../src/data/index.js';

const LABELS = [3, 0, 9, 1, 7, 2];
const INTEGER_DTYPES: NdDType[] = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];

function labelArray(dtype: NdDType, values: readonly number[] = LABELS) {
  const data = allocTyped(dtype, values.length) as unknown as (number | bigint)[];
  values.forEach((v, i) => (data[i] = dtype.endsWith('64') ? BigInt(v) : v));
  return ndarray(dtype, [values.length], data as never);
}

const inputs = () => ndarray('float32', [LABELS.length, 2], Float32Array.from({ length: 2 * LABELS.length }, (_, i) => i));

describe('integer labels of any width', () => {
  it.each(INTEGER_DTYPES)('%s labels.npy next to the inputs and in an .npz load as numbers, values kept', async (dtype) => {
    const dir = await mkdtemp(join(tmpdir(), `labels-${dtype}-`));
    await writeFile(join(dir, 'images.npy'), encodeNpy(inputs()));
    await writeFile(join(dir, 'labels.npy'), encodeNpy(labelArray(dtype)));
    await writeFile(join(dir, 'd.npz'), encodeNpz({ x: inputs(), y: labelArray(dtype) }));
    for (const source of [dir, join(dir, 'd.npz')]) {
      const ds = await loadData(source);
      expect(ds.y!.dtype).toBe(dtype.endsWith('64') ? 'int32' : dtype);
      expect(Array.from(ds.y!.data as ArrayLike<number>, (v) => typeof v)).toEqual(LABELS.map(() => 'number'));
      expect(Array.from(ds.labelIds())).toEqual(LABELS);
      // what the trainer and `train`'s accuracy do with a batch
      const [batch] = ds.batches(4, { shuffleSeed: 1 });
      expect(Array.from(classIds(batch.y!))).toEqual(Array.from(batch.indices, (i) => LABELS[i]));
    }
  });

  it('classIds converts every integer dtype, and integral floats, exactly', () => {
    for (const dtype of INTEGER_DTYPES) expect(Array.from(classIds(labelArray(dtype)))).toEqual(LABELS);
    expect(Array.from(classIds(ndarray('float32', [2], Float32Array.from([4, 1]))))).toEqual([4, 1]);
    const big = ndarray('int64', [2], BigInt64Array.from([2n ** 40n, 1n]));
    expect(Array.from(new Dataset(ndarray('float32', [2, 1]), big).y!.data as BigInt64Array)).toEqual([2n ** 40n, 1n]); // a Dataset keeps what it is given
  });

  it('labels outside int32 or not integers are a DataError naming the source and the label', () => {
    const huge = ndarray('int64', [3], BigInt64Array.from([1n, 2n ** 40n, 0n]));
    expect(() => labelsWithoutBigInt(huge, 'y.npy')).toThrow(new DataError('y.npy: label 1 is not an integer class id in the int32 range (1099511627776)'));
    expect(() => classIds(ndarray('uint64', [1], BigUint64Array.from([2n ** 63n])), 'd.npz labels')).toThrow(/d\.npz labels: label 0 is not an integer class id in the int32 range \(9223372036854775808\)/);
    expect(() => classIds(ndarray('float32', [2], Float32Array.from([1, 0.5])))).toThrow(/labels: label 1 is not an integer class id in the int32 range \(0\.5\)/);
    expect(() => new Dataset(ndarray('float32', [1, 1]), ndarray('float16', [1])).labelIds()).toThrow(/float16 labels are not class ids/);
  });

  it('loadData names the labels file when int64 labels do not fit int32', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labels-huge-'));
    await writeFile(join(dir, 'd.npz'), encodeNpz({ x: ndarray('float32', [2, 1]), y: ndarray('int64', [2], BigInt64Array.from([0n, -(2n ** 35n)])) }));
    await expect(loadData(join(dir, 'd.npz'))).rejects.toThrow(`${join(dir, 'd.npz')} labels: label 1 is not an integer class id in the int32 range (-34359738368)`);
  });
});
