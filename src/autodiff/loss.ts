/**
 * The losses of a training graph, each as ONNX nodes with its gradient with respect to the logits:
 * - softmax cross-entropy of logits [B, C] against int64 class ids [B] (PyTorch's CrossEntropyLoss,
 *   training/losses.ts), with its label_smoothing ε (target (1 − ε)·onehot + ε/C): (softmax − target) / B;
 * - mean squared error against float targets of the logits' shape (torch's MSELoss): 2 (y − t) / N;
 * - NNCF's knowledge-distillation term against teacher outputs fed as an input (the formulas of
 *   algorithms/distillation/kd-loss.ts): mse scale · mean((t − s)²); softmax
 *   scale · T² · C · mean(−softmax(t/T) · log_softmax(s/T)), whose gradient is scale · T · (q − p) / B.
 * Batch and element counts are read at run time, so one graph serves any batch.
 */
import type { GraphEmitter } from './emitter.js';

export interface EmittedLoss {
  loss: string;
  dLogits: string;
}

/** Which loss the training graph computes (default: cross-entropy, no distillation). */
export interface TrainingLossSpec {
  task: 'cross_entropy' | 'mse';
  /** torch CrossEntropyLoss label_smoothing (cross_entropy only; default 0). */
  labelSmoothing?: number;
  /** NNCF knowledge distillation on the loss output; the teacher's output is a graph input. */
  kd?: { type: 'mse' | 'softmax'; scale: number; temperature: number };
}

const base = 'loss';

/** The batch size of `x` as a float [1] (broadcasts like a scalar). */
const batchOf = (emit: GraphEmitter, x: string) =>
  emit.op('Cast', [emit.op('Shape', [x], { start: 0, end: 1 }, base)], { to: 1 }, base);

/** The element count of `x` as a float scalar. */
const sizeOf = (emit: GraphEmitter, x: string) => emit.op('Cast', [emit.op('Size', [x], {}, base)], { to: 1 }, base);

export function emitSoftmaxCrossEntropy(
  emit: GraphEmitter,
  logits: string,
  labels: string,
  classes: number,
  labelSmoothing = 0,
): EmittedLoss {
  const logProb = emit.op('LogSoftmax', [logits], { axis: 1 }, base);
  const classIds = emit.ints(Array.from({ length: classes }, (_, i) => i));
  const hits = emit.op(
    'Equal',
    [emit.unsqueeze(labels, [1], base), emit.reshape(classIds, [1, classes], base)],
    {},
    base,
  );
  const hard = emit.op('Cast', [hits], { to: 1 }, base);
  const oneHot = labelSmoothing > 0 ? emit.op('Add', [emit.op('Mul', [hard, emit.floats([1 - labelSmoothing], [])], {}, base), emit.floats([labelSmoothing / classes], [])], {}, base) : hard;
  const perSample = emit.reduceSum(emit.op('Mul', [oneHot, logProb], {}, base), [1], false, base);
  const loss = emit.op('Neg', [emit.reduceMean(perSample, [0], false, base)], {}, base);
  const batch = batchOf(emit, logits);
  const dLogits = emit.op(
    'Div',
    [emit.op('Sub', [emit.op('Exp', [logProb], {}, base), oneHot], {}, base), batch],
    {},
    base,
  );
  return { loss, dLogits };
}

/** mean((y − t)²) over every element, and 2 (y − t) / N. */
export function emitMeanSquaredError(emit: GraphEmitter, y: string, target: string): EmittedLoss {
  const diff = emit.op('Sub', [y, target], {}, base);
  const n = sizeOf(emit, y);
  const sq = emit.op('Mul', [diff, diff], {}, base);
  const loss = emit.op('Div', [emit.op('ReduceSum', [sq], { keepdims: 0 }, base), n], {}, base);
  const dLogits = emit.op('Div', [emit.op('Mul', [diff, emit.floats([2], [])], {}, base), n], {}, base);
  return { loss, dLogits };
}

/** NNCF's KD term of one output pair (student `s`, teacher `t` of the same shape, rank ≥ 2; softmax: rank 2). */
export function emitDistillation(
  emit: GraphEmitter,
  s: string,
  t: string,
  kd: NonNullable<TrainingLossSpec['kd']>,
): EmittedLoss {
  if (kd.type === 'mse') {
    const { loss, dLogits } = emitMeanSquaredError(emit, s, t);
    const scale = emit.floats([kd.scale], []);
    return { loss: emit.op('Mul', [loss, scale], {}, base), dLogits: emit.op('Mul', [dLogits, scale], {}, base) };
  }
  const T = emit.floats([kd.temperature], []);
  const p = emit.op('Softmax', [emit.op('Div', [t, T], {}, base)], { axis: 1 }, base);
  const logQ = emit.op('LogSoftmax', [emit.op('Div', [s, T], {}, base)], { axis: 1 }, base);
  const perSample = emit.reduceSum(emit.op('Mul', [p, logQ], {}, base), [1], false, base);
  const batch = batchOf(emit, s);
  // scale·T²·C·mean over B·C elements = scale·T²·(1/B)·Σ
  const k = emit.floats([kd.scale * kd.temperature * kd.temperature], []);
  const loss = emit.op('Neg', [emit.op('Mul', [emit.reduceMean(perSample, [0], false, base), k], {}, base)], {}, base);
  const q = emit.op('Exp', [logQ], {}, base);
  const g = emit.op('Mul', [emit.op('Sub', [q, p], {}, base), emit.floats([kd.scale * kd.temperature], [])], {}, base);
  return { loss, dLogits: emit.op('Div', [g, batch], {}, base) };
}
