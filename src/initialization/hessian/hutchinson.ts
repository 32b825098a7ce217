/**
 * Hutchinson estimation of the average Hessian trace per parameter (spec/algorithms.md §6.2 step 1),
 * NNCF's HessianTraceEstimator with one change: the Hessian-vector products are central finite
 * differences of gradients instead of double backprop, because the engine's custom kernels (fused
 * conv, fake quantize …) have first-order gradients only:
 *
 *     Hv ≈ (∇L(w + εv) − ∇L(w − εv)) / (2ε)
 *
 * One perturbation direction v = (v_1 … v_P) spans every traced parameter at once, so this is the
 * product with the full Hessian, exactly as NNCF's autograd product (the per-parameter trace keeps
 * only v_p·(Hv)_p, whose cross terms vanish in expectation). ε is relative:
 *
 *     ε = RELATIVE_STEP · rms(w)   (rms over all traced elements; RELATIVE_STEP = 1e-4)
 *
 * For a smooth loss ∛(float32 epsilon) ≈ 5e-3 would balance the O(ε²) truncation error against the
 * O(ε_mach·|∇L|/ε) rounding error. We take a much smaller step: rounding noise is unbiased and averages
 * out over elements and iterations (≈ 1 % of one product here, far below Hutchinson's own variance),
 * while a larger step biases the trace. Measured on a Conv→BN→ReLU→MaxPool→… CNN exported from PyTorch
 * (train mode, 300 iterations), the first conv's trace was −0.119 at 1e-3, −0.143 at 3e-3 and −0.162 at
 * 1e-4, against −0.1625 ± 0.0004 from PyTorch double backprop; the other layers agree at every step.
 * ReLU-like and MaxPool kinks are frozen per product (frozen-kinks.ts), or no step would do.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../../data/index.js';
import { startProgress } from '../progress.js';

export const RELATIVE_STEP = 1e-4;
/** NNCF's `diff_eps` in the relative stopping test. */
export const TRACE_DIFF_EPS = 1e-6;

export interface HutchinsonOptions {
  /** The traced parameters (gradients are taken w.r.t. these, in their storage layout). */
  params: readonly tf.Variable[];
  /**
   * Gradients of the loss on batch `b` (b = 0 … numBatches−1), one tensor per param, in `params` order.
   * `draw` numbers the Hessian-vector product (iteration · numBatches + b): the two gradients of one
   * central difference share it, so a caller with randomness in its forward pass (train-mode Dropout)
   * seeds it from `draw` and both sides see the same function, as one autograd pass would.
   * The caller owns nothing returned: this function disposes them.
   */
  gradients: (batch: number, draw: number) => tf.Tensor[] | Promise<tf.Tensor[]>;
  numBatches: number;
  /** Called at the unperturbed parameters before each Hessian-vector product (same arguments as `gradients`). */
  prepare?: (batch: number, draw: number) => void | Promise<void>;
  /** Maximum Hutchinson iterations (NNCF `iter_number`). */
  iterNumber: number;
  /** Relative change of the summed average trace under which iteration stops (NNCF `tolerance`). */
  tolerance: number;
  seed: number;
  /** Absolute finite-difference step; default RELATIVE_STEP · rms(params). */
  epsilon?: number;
}

export interface HutchinsonResult {
  /** Average trace per param: running mean over iterations of Σ_j (Hv)_j·v_j / numel. */
  traces: number[];
  iterations: number;
  epsilon: number;
}

/** Rademacher (±1) values for `n` elements, drawn in order from `rng`. */
export function rademacher(rng: Random, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextUint32() & 1 ? 1 : -1;
  return out;
}

/** RELATIVE_STEP · rms over every element of `params` (RELATIVE_STEP when they are all zero). */
export function relativeEpsilon(params: readonly tf.Variable[]): number {
  let sum = 0;
  let n = 0;
  for (const p of params) {
    sum += tf.tidy(() => tf.sum(tf.square(p)).dataSync()[0]);
    n += p.size;
  }
  const rms = n ? Math.sqrt(sum / n) : 0;
  return RELATIVE_STEP * (rms > 0 ? rms : 1);
}

function assignAll(params: readonly tf.Variable[], base: readonly tf.Tensor[], v: readonly tf.Tensor[], step: number): void {
  params.forEach((p, i) => tf.tidy(() => p.assign(step === 0 ? base[i] : tf.add(base[i], tf.mul(v[i], step)))));
}

/**
 * Hv for one batch by central differences; restores the parameters (also on error).
 * Returns one new tensor per param.
 */
export async function hessianVectorProduct(
  params: readonly tf.Variable[],
  gradients: () => tf.Tensor[] | Promise<tf.Tensor[]>,
  v: readonly tf.Tensor[],
  epsilon: number,
): Promise<tf.Tensor[]> {
  const base = params.map((p) => tf.keep(p.clone()));
  let plus: tf.Tensor[] = [];
  let minus: tf.Tensor[] = [];
  try {
    assignAll(params, base, v, epsilon);
    plus = await gradients();
    assignAll(params, base, v, -epsilon);
    minus = await gradients();
    if (plus.length !== params.length || minus.length !== params.length)
      throw new Error(`Hessian-vector product: expected ${params.length} gradients, got ${plus.length} and ${minus.length}`);
    return plus.map((g, i) => tf.tidy(() => tf.div(tf.sub(g, minus[i]), 2 * epsilon)));
  } finally {
    assignAll(params, base, v, 0);
    tf.dispose([...base, ...plus, ...minus]);
  }
}

/**
 * NNCF get_average_traces: per iteration a new Rademacher v, Hv averaged over the batches,
 * trace_p = Σ (Hv)_p·v_p / numel_p; the running mean over iterations is returned when the relative
 * change of its sum falls under `tolerance` (or after `iterNumber` iterations).
 */
export async function hutchinsonTraces(o: HutchinsonOptions): Promise<HutchinsonResult> {
  if (!Number.isInteger(o.iterNumber) || o.iterNumber < 1) throw new Error(`Hutchinson: iter_number must be a positive integer, got ${o.iterNumber}`);
  if (!Number.isInteger(o.numBatches) || o.numBatches < 1) throw new Error(`Hutchinson: need at least one batch, got ${o.numBatches}`);
  const epsilon = o.epsilon ?? relativeEpsilon(o.params);
  const rng = new Random(o.seed);
  const sums = new Array<number>(o.params.length).fill(0);
  let prevTotal = 0;
  let mean = sums.slice();
  let it = 0;
  // at most iterNumber · numBatches Hessian-vector products; convergence ends it early
  const progress = startProgress('HAWQ Hessian traces', o.iterNumber * o.numBatches, 'Hv products');
  while (it < o.iterNumber) {
    const v = o.params.map((p) => tf.tensor(rademacher(rng, p.size), p.shape, 'float32'));
    const acc = o.params.map(() => 0);
    try {
      for (let b = 0; b < o.numBatches; b++) {
        const draw = it * o.numBatches + b;
        await o.prepare?.(b, draw);
        const hv = await hessianVectorProduct(o.params, () => o.gradients(b, draw), v, epsilon);
        hv.forEach((h, i) => (acc[i] += tf.tidy(() => tf.sum(tf.mul(h, v[i])).dataSync()[0])));
        tf.dispose(hv);
        progress.tick();
      }
    } finally {
      tf.dispose(v);
    }
    it++;
    acc.forEach((a, i) => (sums[i] += a / o.numBatches / o.params[i].size));
    mean = sums.map((s) => s / it);
    const total = mean.reduce((a, b) => a + b, 0);
    const diff = Math.abs(total - prevTotal) / (Math.abs(prevTotal) + TRACE_DIFF_EPS);
    if (diff < o.tolerance) break;
    prevTotal = total;
  }
  progress.done();
  return { traces: mean, iterations: it, epsilon };
}
