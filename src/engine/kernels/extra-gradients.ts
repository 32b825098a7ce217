/**
 * Gradients tfjs-core lacks but ONNX graphs need: StridedSlice (ONNX Slice with steps) and zero
 * gradients for comparisons and logical ops, whose bool outputs reach a loss only through
 * Where/Cast (without a gradient, tf.grad throws as soon as one lies on the path).
 */
import * as tf from '@tensorflow/tfjs-core';

const NON_DIFFERENTIABLE = [
  'Greater', 'Less', 'LessEqual', 'Equal', 'NotEqual',
  'LogicalAnd', 'LogicalOr', 'LogicalNot', 'LogicalXor', 'ArgMin',
];

function zeroGradient(kernelName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: kernelName === 'LogicalNot' ? ['x'] : ['a', 'b'],
    gradFunc: (_dy, saved): Record<string, () => tf.Tensor> => {
      if (kernelName === 'LogicalNot') return { x: () => tf.zerosLike(saved[0]) };
      return { a: () => tf.zerosLike(saved[0]), b: () => tf.zerosLike(saved[1]) };
    },
  };
}

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

/** Scatters dy back to x's shape: dx[begin + i*stride] = dy[i] along every axis. */
export function stridedSliceBackward(dy: tf.Tensor, xShape: number[], a: StridedSliceAttrs): tf.Tensor {
  const info = tf.slice_util.sliceInfo(xShape, a.begin, a.end, a.strides, a.beginMask, a.endMask,
    a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
  const counts = info.finalShapeSparse;
  if (counts.some((n) => n === 0)) return tf.zeros(xShape);
  let g = tf.reshape(dy, counts);
  for (let axis = 0; axis < xShape.length; axis++) {
    const n = counts[axis];
    let s = info.strides[axis] ?? 1;
    let b = info.begin[axis] ?? 0;
    if (s < 0) {
      g = tf.reverse(g, axis);
      b = b + (n - 1) * s;
      s = -s;
    }
    if (s > 1 && n > 1) {
      // Insert s-1 zeros after each element along `axis`.
      const shp = g.shape;
      const withGap = tf.reshape(g, [...shp.slice(0, axis + 1), 1, ...shp.slice(axis + 1)]);
      const pads: Array<[number, number]> = withGap.shape.map((_, i) => (i === axis + 1 ? [0, s - 1] : [0, 0]));
      const spread = tf.reshape(tf.pad(withGap, pads), [...shp.slice(0, axis), n * s, ...shp.slice(axis + 1)]);
      const size = spread.shape.map((d, i) => (i === axis ? (n - 1) * s + 1 : d));
      g = tf.slice(spread, spread.shape.map(() => 0), size);
    }
    const extent = (n - 1) * s + 1;
    const pads: Array<[number, number]> = g.shape.map((_, i) => (i === axis ? [b, xShape[axis] - b - extent] : [0, 0]));
    g = tf.pad(g, pads);
  }
  return g;
}

export function registerExtraGradients(): void {
  for (const name of NON_DIFFERENTIABLE) {
    if (tf.getGradient(name) == null) tf.registerGradient(zeroGradient(name));
  }
  tf.registerGradient({
    kernelName: 'StridedSlice',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({
      x: () => stridedSliceBackward(dy as tf.Tensor, saved[0].shape, attrs as unknown as StridedSliceAttrs),
    }),
  });
}
