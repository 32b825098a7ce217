/**
 * Mean softmax cross-entropy of logits [B, C] against int64 class ids [B] (PyTorch's CrossEntropyLoss,
 * training/losses.ts), and its gradient (softmax − onehot) / B, both as ONNX nodes.
 */
import type { GraphEmitter } from './emitter.js';

export interface EmittedLoss {
  loss: string;
  dLogits: string;
}

export function emitSoftmaxCrossEntropy(
  emit: GraphEmitter,
  logits: string,
  labels: string,
  classes: number,
): EmittedLoss {
  const base = 'loss';
  const logProb = emit.op('LogSoftmax', [logits], { axis: 1 }, base);
  const classIds = emit.ints(Array.from({ length: classes }, (_, i) => i));
  const hits = emit.op(
    'Equal',
    [emit.unsqueeze(labels, [1], base), emit.reshape(classIds, [1, classes], base)],
    {},
    base,
  );
  const oneHot = emit.op('Cast', [hits], { to: 1 }, base);
  const perSample = emit.reduceSum(emit.op('Mul', [oneHot, logProb], {}, base), [1], false, base);
  const loss = emit.op('Neg', [emit.reduceMean(perSample, [0], false, base)], {}, base);
  // The batch size is read at run time so one graph serves any batch.
  const batch = emit.op('Cast', [emit.op('Shape', [logits], { start: 0, end: 1 }, base)], { to: 1 }, base);
  const dLogits = emit.op(
    'Div',
    [emit.op('Sub', [emit.op('Exp', [logProb], {}, base), oneHot], {}, base), batch],
    {},
    base,
  );
  return { loss, dLogits };
}
