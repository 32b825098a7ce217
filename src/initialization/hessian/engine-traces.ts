/**
 * Hessian traces of a model's weights on the engine (HAWQ precision init, spec/algorithms.md §6.2):
 * the loss of QuantizationPrecisionInitArgs (default: softmax cross-entropy of the first model output
 * against integer labels) over ⌊num_data_points / batch_size⌋ batches (at least 1) taken in dataset
 * order, the same batches in every Hutchinson iteration.
 *
 * The model runs in training mode by default, as NNCF's HessianTraceEstimator does in practice: it
 * runs the model in whatever mode it is in, and a PyTorch model handed to create_compressed_model is
 * in training mode. So BatchNorm normalises with the statistics of the batch (the loss, its gradients
 * and its Hessian are those of that function) and Dropout drops — with one mask per Hessian-vector
 * product, shared by both sides of the central difference; ReLU-like and MaxPool patterns are frozen at
 * the unperturbed weights for each product (frozen-kinks.ts). BN running statistics are restored after
 * the passes (they would otherwise move with every finite-difference forward). `mode: 'eval'`
 * reproduces an NNCF run whose model was put in eval mode before compression (BN on running
 * statistics, no Dropout). The caller runs this before its quantizers exist (NNCF disables quantizers
 * while computing traces). Hooks of earlier algorithms (e.g. sparsity masks) stay active, as in NNCF.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../compression/index.js';
import { DataError, fitToSampleShape, toFloat32, type NdArray } from '../../data/index.js';
import { dataInput, InitializationError, type InitDataLoader } from '../init-data.js';
import { FrozenKinks } from './frozen-kinks.js';
import { hutchinsonTraces } from './hutchinson.js';

export type HessianCriterionFn = (outputs: unknown, targets: unknown, criterion: unknown) => unknown;

export interface HessianTraceRequest {
  numDataPoints: number;
  iterNumber: number;
  tolerance: number;
  /** Seed of the Rademacher vectors and of train-mode Dropout masks (default 0). */
  seed?: number;
  /** 'train' (default, NNCF's usual case) or 'eval' (a model put in eval mode before compression). */
  mode?: 'train' | 'eval';
}

export interface HessianTraceReport {
  /** Average Hessian trace per weight tensor name. */
  traces: Map<string, number>;
  iterations: number;
  batches: number;
  epsilon: number;
}

/** Mean softmax cross-entropy of logits [B, C] against integer class ids [B]. */
export function defaultHessianCriterion(outputs: unknown, targets: unknown): tf.Scalar {
  const logits = outputs as tf.Tensor;
  const labels = targets as tf.Tensor;
  return tf.tidy(() => {
    if (logits.rank !== 2)
      throw new InitializationError(`HAWQ default criterion (cross-entropy) needs the first model output to be [batch, classes], got [${logits.shape}]; register QuantizationPrecisionInitArgs with a criterion`);
    const oneHot = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, logits.shape[1]!);
    return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

function labelTensor(y: NdArray): tf.Tensor {
  const data = Array.from(y.data as ArrayLike<number | bigint>, Number);
  const integer = !y.dtype.startsWith('float');
  return integer ? tf.tensor(Int32Array.from(data), y.shape, 'int32') : tf.tensor(Float32Array.from(data), y.shape, 'float32');
}

function takeBatches(model: CompressedModel, loader: InitDataLoader, count: number): { name: string; x: tf.Tensor; y: tf.Tensor }[] {
  const input = dataInput(model.graph);
  const sample = (input.shape ?? []).slice(1);
  const out: { name: string; x: tf.Tensor; y: tf.Tensor }[] = [];
  if (loader.dataset.length === 0) throw new InitializationError('HAWQ precision initialization: the data is empty');
  try {
    for (const b of loader.dataset.batches(loader.batchSize)) {
      if (out.length === count) break;
      if (!b.y) throw new InitializationError('HAWQ precision initialization needs labelled data: the QuantizationPrecisionInitArgs data loader has no labels (y)');
      let x: NdArray<'float32'>;
      try {
        x = fitToSampleShape(toFloat32(b.x), sample, `precision-init data for input "${input.name}"`);
      } catch (e) {
        throw e instanceof DataError ? new InitializationError(e.message) : e;
      }
      out.push({ name: input.name, x: tf.tensor(x.data, x.shape, 'float32'), y: labelTensor(b.y) });
    }
  } catch (e) {
    for (const b of out) tf.dispose([b.x, b.y]);
    throw e;
  }
  return out;
}

/**
 * Average Hessian trace of each named weight (NNCF computes them for the weights of quantized
 * layers, biases excluded). Weights are restored exactly afterwards.
 */
export async function hessianTracesOnEngine(
  model: CompressedModel,
  loader: InitDataLoader,
  weightNames: readonly string[],
  req: HessianTraceRequest,
  criterion: { fn?: HessianCriterionFn; criterion?: unknown } = {},
): Promise<HessianTraceReport> {
  const weights = model.engine.weights();
  const params = weightNames.map((name) => {
    const w = weights.find((x) => x.name === name);
    if (!w) throw new InitializationError(`HAWQ precision initialization: "${name}" is not a weight of the model`);
    return w.variable;
  });
  const numBatches = Math.max(1, Math.floor(req.numDataPoints / loader.batchSize));
  const batches = takeBatches(model, loader, numBatches);
  const outName = model.graph.outputs[0]?.name;
  const loss = criterion.fn ?? defaultHessianCriterion;
  const training = (req.mode ?? 'train') === 'train';
  const seed = req.seed ?? 0;
  // train-mode forwards update BN running statistics: keep them to put back afterwards
  const state = training ? model.engine.weights().filter((w) => !w.trainable).map((w) => ({ v: w.variable, saved: tf.keep(w.variable.clone()) })) : [];
  const runOpts = (draw: number) => ({ training, dropoutSeed: dropoutSeed(seed, draw) });
  const kinks = new FrozenKinks(model);
  try {
    const r = await hutchinsonTraces({
      params,
      numBatches: batches.length,
      iterNumber: req.iterNumber,
      tolerance: req.tolerance,
      seed,
      prepare: (i, draw) => {
        const { name, x } = batches[i];
        kinks.record(() => tf.dispose(Object.values(model.engine.run({ [name]: x }, { ...runOpts(draw), outputs: outName ? [outName] : undefined }))));
      },
      gradients: (i, draw) => {
        const { name, x, y } = batches[i];
        const { value, grads } = tf.variableGrads(() => {
          const outs = model.engine.run({ [name]: x }, { ...runOpts(draw), outputs: outName ? [outName] : undefined });
          const l = loss(outName ? outs[outName] : Object.values(outs)[0], y, criterion.criterion);
          if (!(l instanceof tf.Tensor) || l.size !== 1)
            throw new InitializationError('HAWQ precision initialization: the criterion must return a scalar tf.Tensor loss');
          return tf.reshape(l, []) as tf.Scalar;
        }, params);
        value.dispose();
        const missing = params.find((p) => !grads[p.name]);
        if (missing) {
          tf.dispose(Object.values(grads));
          throw new InitializationError(`HAWQ precision initialization: the loss does not depend on weight "${missing.name}"`);
        }
        return params.map((p) => grads[p.name]);
      },
    });
    return { traces: new Map(weightNames.map((n, i) => [n, r.traces[i]])), iterations: r.iterations, batches: batches.length, epsilon: r.epsilon };
  } finally {
    kinks.dispose();
    for (const { v, saved } of state) {
      v.assign(saved);
      saved.dispose();
    }
    for (const b of batches) tf.dispose([b.x, b.y]);
  }
}

/** Dropout seeds of one Hessian-vector product: disjoint blocks of DROPOUT_SEEDS_PER_DRAW per draw and trace seed. */
const DROPOUT_SEEDS_PER_DRAW = 1024;
function dropoutSeed(seed: number, draw: number): number {
  return 1 + (seed * 1_000_003 + draw) * DROPOUT_SEEDS_PER_DRAW;
}
