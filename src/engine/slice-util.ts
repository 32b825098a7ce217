import * as tf from '@tensorflow/tfjs-core';

/**
 * tf.slice with runs of untouched axes merged first: wasm's Slice is fast up to rank 4 and falls
 * back to a per-element JS loop above (20 ms for a 115k-element rank-5 qkv split in PP-OCRv4 rec).
 */
export function sliceCollapsed(x: tf.Tensor, begin: number[], size: number[]): tf.Tensor {
  if (x.rank <= 4) return tf.slice(x, begin, size);
  const shape: number[] = [];
  const b: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    const whole = begin[i] === 0 && size[i] === x.shape[i];
    const prevWhole = i > 0 && b.length > 0 && b[b.length - 1] === 0 && s[s.length - 1] === shape[shape.length - 1];
    if (whole && prevWhole) {
      shape[shape.length - 1] *= x.shape[i];
      s[s.length - 1] *= x.shape[i];
    } else {
      shape.push(x.shape[i]);
      b.push(begin[i]);
      s.push(size[i]);
    }
  }
  if (shape.length === x.rank) return tf.slice(x, begin, size);
  return tf.reshape(tf.slice(tf.reshape(x, shape), b, s), size);
}

/** tf.split along `axis` built on sliceCollapsed. */
export function splitCollapsed(x: tf.Tensor, sizes: number[], axis: number): tf.Tensor[] {
  let offset = 0;
  return sizes.map((n) => {
    const begin = x.shape.map((_, i) => (i === axis ? offset : 0));
    const size = x.shape.map((d, i) => (i === axis ? n : d));
    offset += n;
    return sliceCollapsed(x, begin, size);
  });
}
