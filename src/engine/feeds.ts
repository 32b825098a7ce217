import type * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '../graph/index.js';
import { tfDtype } from './dtype.js';
import { EngineError } from './errors.js';

/** Checks one graph input's feed against the declared dtype and shape (symbolic dims match anything). */
export function checkFeed(inp: TensorInfo, t: tf.Tensor | undefined, needed: Set<string>): void {
  if (!t) {
    if (needed.has(inp.name)) throw new EngineError(`missing feed for model input "${inp.name}"`);
    return;
  }
  const want = tfDtype(inp.dtype);
  if (t.dtype !== want)
    throw new EngineError(
      `input "${inp.name}" expects dtype ${inp.dtype}${want !== inp.dtype ? ` (as tfjs ${want})` : ''}, got ${t.dtype}`,
    );
  if (!inp.shape) return;
  const ok = inp.shape.length === t.rank && inp.shape.every((d, i) => typeof d !== 'number' || d <= 0 || d === t.shape[i]);
  if (!ok) {
    const fmt = inp.shape.map((d) => (d === null ? '?' : String(d))).join(',');
    throw new EngineError(`input "${inp.name}" expects shape [${fmt}], got [${t.shape.join(',')}]`);
  }
}
