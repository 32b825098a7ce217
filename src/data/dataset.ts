/**
 * An in-memory dataset: inputs `x` (N×…) and optional labels `y` (N or N×…), both plain NdArrays.
 * Batching, seeded shuffling, stratified sampling and train/val splits return new Datasets or batches;
 * nothing is changed in place.
 */
import { DataError } from './errors.js';
import { classIds } from './labels.js';
import { gatherRows, type NdArray } from './ndarray.js';
import { Random } from './random.js';
import { allocateProportionally } from './stratify.js';

export interface Batch {
  x: NdArray;
  y?: NdArray;
  /** Indices of the batch's samples in the dataset. */
  indices: Int32Array;
}

export interface BatchOptions {
  /** Shuffle the order with this seed (same seed, same order); omitted keeps dataset order. */
  shuffleSeed?: number;
  /** Drop a last batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

export class Dataset {
  readonly x: NdArray;
  readonly y?: NdArray;

  constructor(x: NdArray, y?: NdArray) {
    if (x.shape.length === 0) throw new DataError('dataset inputs must have a leading sample axis (got a scalar)');
    if (y && (y.shape.length === 0 || y.shape[0] !== x.shape[0])) {
      throw new DataError(`dataset has ${x.shape[0]} inputs but labels of shape [${y.shape.join(', ')}]`);
    }
    this.x = x;
    this.y = y;
  }

  get length(): number {
    return this.x.shape[0];
  }

  /** Shape of one sample (without the leading N). */
  get sampleShape(): number[] {
    return this.x.shape.slice(1);
  }

  /** The samples at `indices`, in that order. */
  subset(indices: ArrayLike<number>): Dataset {
    return new Dataset(gatherRows(this.x, indices), this.y && gatherRows(this.y, indices));
  }

  /** The first `n` samples (all if fewer). */
  take(n: number): Dataset {
    return this.subset(Int32Array.from({ length: Math.min(n, this.length) }, (_, i) => i));
  }

  shuffled(seed: number): Dataset {
    return this.subset(new Random(seed).permutation(this.length));
  }

  /** A new Dataset with the inputs transformed (e.g. preprocessing); labels are kept. */
  mapX(fn: (x: NdArray) => NdArray): Dataset {
    return new Dataset(fn(this.x), this.y);
  }

  numBatches(batchSize: number, dropLast = false): number {
    return dropLast ? Math.floor(this.length / batchSize) : Math.ceil(this.length / batchSize);
  }

  *batches(batchSize: number, options: BatchOptions = {}): Generator<Batch> {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new DataError(`batch size must be a positive integer, got ${batchSize}`);
    const order =
      options.shuffleSeed === undefined
        ? Int32Array.from({ length: this.length }, (_, i) => i)
        : new Random(options.shuffleSeed).permutation(this.length);
    const count = this.numBatches(batchSize, options.dropLast);
    for (let b = 0; b < count; b++) {
      const indices = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, this.length));
      yield { x: gatherRows(this.x, indices), y: this.y && gatherRows(this.y, indices), indices: indices.slice() };
    }
  }

  /** Labels as integers (class ids); throws when there are none or they are not one per sample. */
  labelIds(): Int32Array {
    const y = this.y;
    if (!y) throw new DataError('dataset has no labels');
    if (y.shape.length !== 1) throw new DataError(`class labels must be one per sample, got shape [${y.shape.join(', ')}]`);
    return classIds(y);
  }

  /** Samples per class id, as a Map sorted by class id. */
  classCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const c of this.labelIds()) counts.set(c, (counts.get(c) ?? 0) + 1);
    return new Map([...counts].sort((a, b) => a[0] - b[0]));
  }

  /**
   * `n` samples whose class proportions match the dataset's (largest-remainder rounding), chosen at random
   * within each class with `seed`. The result keeps dataset order.
   */
  stratifiedSample(n: number, seed: number): Dataset {
    if (!Number.isInteger(n) || n < 0 || n > this.length) {
      throw new DataError(`cannot sample ${n} of ${this.length} samples`);
    }
    return this.subset(this.stratifiedPick(n, seed)[0]);
  }

  /**
   * Splits into train and validation sets; `valFraction` of the samples (rounded) go to validation.
   * `stratify` (default true when there are class labels) keeps class proportions in both parts.
   */
  split(valFraction: number, options: { seed: number; stratify?: boolean }): { train: Dataset; val: Dataset } {
    if (!(valFraction >= 0 && valFraction <= 1)) throw new DataError(`validation fraction must be in [0, 1], got ${valFraction}`);
    const nVal = Math.round(valFraction * this.length);
    const stratify = options.stratify ?? (this.y !== undefined && this.y.shape.length === 1);
    if (stratify) {
      const [val, train] = this.stratifiedPick(nVal, options.seed);
      return { train: this.subset(train), val: this.subset(val) };
    }
    const perm = new Random(options.seed).permutation(this.length);
    const val = perm.slice(0, nVal).sort();
    const train = perm.slice(nVal).sort();
    return { train: this.subset(train), val: this.subset(val) };
  }

  /** [picked, rest], both sorted. */
  private stratifiedPick(n: number, seed: number): [Int32Array, Int32Array] {
    const labels = this.labelIds();
    const byClass = new Map<number, number[]>();
    labels.forEach((c, i) => {
      const list = byClass.get(c);
      if (list) list.push(i);
      else byClass.set(c, [i]);
    });
    const classes = [...byClass.keys()].sort((a, b) => a - b);
    const quota = allocateProportionally(n, classes.map((c) => byClass.get(c)!.length));
    const rng = new Random(seed);
    const picked: number[] = [];
    const rest: number[] = [];
    classes.forEach((c, k) => {
      const members = rng.shuffle(byClass.get(c)!.slice());
      picked.push(...members.slice(0, quota[k]));
      rest.push(...members.slice(quota[k]));
    });
    return [Int32Array.from(picked).sort(), Int32Array.from(rest).sort()];
  }
}
