/** Top-1 of a direction classifier on the rendered set with onnxruntime-node: overall and per script. */
import { OrtSession, top1Accuracy } from '../../src/runtime/index.js';
import type { DirectionSet } from './direction-set.js';

export const DEFAULT_CLS_MODEL = '.cache/data/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx';

export interface DirectionAccuracy {
  model: string;
  samples: number;
  top1: number;
  /** Accuracy on upright / rotated samples, and on Chinese / Latin lines. */
  upright: number;
  rotated: number;
  cjk: number;
  latin: number;
  seconds: number;
}

function rate(pred: Int32Array, labels: number[], keep: (i: number) => boolean): number {
  let n = 0;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!keep(i)) continue;
    n++;
    if (pred[i] === labels[i]) hit++;
  }
  return n ? hit / n : NaN;
}

export async function directionAccuracy(
  set: DirectionSet,
  model = DEFAULT_CLS_MODEL,
  batchSize = 64,
): Promise<DirectionAccuracy> {
  const session = await OrtSession.create(model);
  const labels = Array.from(set.labels.data, Number);
  const t0 = performance.now();
  const { accuracy, predictions } = await top1Accuracy(session, set.x, labels, { batchSize });
  const seconds = (performance.now() - t0) / 1000;
  const s = set.meta.samples;
  return {
    model,
    samples: labels.length,
    top1: accuracy,
    upright: rate(predictions, labels, (i) => labels[i] === 0),
    rotated: rate(predictions, labels, (i) => labels[i] === 1),
    cjk: rate(predictions, labels, (i) => s[i].script === 'cjk'),
    latin: rate(predictions, labels, (i) => s[i].script === 'latin'),
    seconds,
  };
}

export const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(100 * v).toFixed(2)}%`);
