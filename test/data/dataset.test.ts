import { describe, expect, it } from 'vitest';
import { Dataset, DataError, Random, allocateProportionally, ndarray } from '../../src/data/index.js';

/** 100 samples of 2 values (i, -i); labels: 50 × class 0, 30 × class 1, 20 × class 2. */
function toy(): Dataset {
  const x = ndarray('float32', [100, 2], Float32Array.from({ length: 200 }, (_, k) => (k % 2 ? -1 : 1) * Math.floor(k / 2)));
  const y = ndarray('int64', [100], BigInt64Array.from({ length: 100 }, (_, i) => BigInt(i < 50 ? 0 : i < 80 ? 1 : 2)));
  return new Dataset(x, y);
}

describe('Random', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Random(42);
    const b = new Random(42);
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(seqA);
    expect(new Random(43).nextUint32()).not.toBe(seqA[0]);
    expect(new Random(42).permutation(10)).toEqual(new Random(42).permutation(10));
  });

  it('draws uniform floats and unbiased ints, normals with mean 0 and std 1', () => {
    const r = new Random(7);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < 20000; i++) {
      const v = r.normal();
      sum += v;
      sq += v * v;
    }
    expect(Math.abs(sum / 20000)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(sq / 20000) - 1)).toBeLessThan(0.03);
    for (let i = 0; i < 1000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect(() => r.int(0)).toThrow(/n must be in/);
    expect(() => new Random(NaN)).toThrow(/seed must be a finite number/);
  });

  it('permutation is a permutation; fork gives an independent reproducible stream', () => {
    const p = Array.from(new Random(1).permutation(1000)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Random(5).fork().nextUint32()).toBe(new Random(5).fork().nextUint32());
  });
});

describe('Dataset', () => {
  it('batches in order, with a short last batch unless dropLast', () => {
    const ds = toy();
    const batches = [...ds.batches(32)];
    expect(batches.map((b) => b.x.shape[0])).toEqual([32, 32, 32, 4]);
    expect(batches[1].x.data[0]).toBe(32);
    expect(batches[1].x.data[1]).toBe(-32);
    expect(batches[3].y!.shape).toEqual([4]);
    expect([...ds.batches(32, { dropLast: true })].length).toBe(3);
    expect(ds.numBatches(32)).toBe(4);
    expect(() => [...ds.batches(0)]).toThrow(/batch size must be a positive integer/);
  });

  it('shuffles batches deterministically with a seed, covering every sample once', () => {
    const ds = toy();
    const order = (seed: number) => [...ds.batches(16, { shuffleSeed: seed })].flatMap((b) => Array.from(b.indices));
    expect(order(3)).toEqual(order(3));
    expect(order(3)).not.toEqual(order(4));
    expect([...order(3)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const first = [...ds.batches(16, { shuffleSeed: 3 })][0];
    first.indices.forEach((idx, k) => {
      expect(first.x.data[2 * k]).toBe(idx);
      expect(Number(first.y!.data[k])).toBe(idx < 50 ? 0 : idx < 80 ? 1 : 2);
    });
    expect(Array.from(ds.shuffled(9).x.data as Float32Array)).toEqual(Array.from(ds.shuffled(9).x.data as Float32Array));
  });

  it('stratified sampling keeps class proportions (largest remainder) and is seeded', () => {
    const ds = toy();
    const s = ds.stratifiedSample(10, 1);
    expect([...s.classCounts()]).toEqual([[0, 5], [1, 3], [2, 2]]);
    const odd = ds.stratifiedSample(7, 1); // 3.5, 2.1, 1.4 → 3,2,1 + one to the largest remainder (class 0)
    expect([...odd.classCounts()]).toEqual([[0, 4], [1, 2], [2, 1]]);
    expect(Array.from(ds.stratifiedSample(10, 1).x.data as Float32Array)).toEqual(Array.from(s.x.data as Float32Array));
    expect(Array.from(ds.stratifiedSample(10, 2).x.data as Float32Array)).not.toEqual(Array.from(s.x.data as Float32Array));
    expect(() => ds.stratifiedSample(101, 1)).toThrow(/cannot sample 101 of 100/);
    expect(() => new Dataset(ds.x).stratifiedSample(5, 1)).toThrow(/dataset has no labels/);
  });

  it('splits train/val with stratification and without, disjoint and complete', () => {
    const ds = toy();
    const { train, val } = ds.split(0.2, { seed: 11 });
    expect([...val.classCounts()]).toEqual([[0, 10], [1, 6], [2, 4]]);
    expect([...train.classCounts()]).toEqual([[0, 40], [1, 24], [2, 16]]);
    const ids = (d: Dataset) => Array.from({ length: d.length }, (_, i) => Number(d.x.data[2 * i]));
    expect([...ids(train), ...ids(val)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const plain = ds.split(0.25, { seed: 11, stratify: false });
    expect([plain.train.length, plain.val.length]).toEqual([75, 25]);
    expect(ids(plain.val)).toEqual(ids(ds.split(0.25, { seed: 11, stratify: false }).val));
    expect(() => ds.split(1.5, { seed: 1 })).toThrow(/validation fraction must be in \[0, 1\]/);
  });

  it('checks labels against inputs', () => {
    const x = ndarray('float32', [3, 2]);
    expect(() => new Dataset(x, ndarray('int32', [2]))).toThrow(/3 inputs but labels of shape \[2\]/);
    expect(() => new Dataset(ndarray('float32', []))).toThrow(DataError);
    expect(() => new Dataset(x, ndarray('float32', [3], Float32Array.from([0, 1.5, 2]))).labelIds()).toThrow(/label 1 is not an integer/);
    expect(() => new Dataset(x, ndarray('int32', [3, 2])).classCounts()).toThrow(/one per sample/);
  });

  it('allocates proportionally and exactly', () => {
    expect(allocateProportionally(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(allocateProportionally(10, [4, 3, 3])).toEqual([4, 3, 3]);
    expect(allocateProportionally(1000, [6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000])).toEqual(new Array(10).fill(100));
    expect(allocateProportionally(3, [1, 0, 5])).toEqual([1, 0, 2]);
    expect(() => allocateProportionally(7, [1, 2])).toThrow(/cannot allocate 7 from 3/);
  });
});
