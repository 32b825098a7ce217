/**
 * Gradients of Conv2D and DepthwiseConv2dNative that also handle dilations (tfjs-core's assert
 * dilation 1). On wasm our backprop kernels take the dilation directly; on other backends a
 * dilated conv is rewritten as an undilated conv with a zero-stuffed ("dilated") filter.
 */
import * as tf from '@tensorflow/tfjs-core';

type Pair = [number, number];
interface ConvGradAttrs {
  strides: number | Pair;
  pad: unknown;
  dilations?: number | Pair;
  dataFormat?: string;
  dimRoundingMode?: string;
}

function pair(v: number | Pair | undefined): Pair {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

/** True when the active backend's kernel is one of ours, which understands `dilations`. */
function kernelTakesDilations(kernelName: string, ours: ReadonlySet<unknown>): boolean {
  const k = tf.getKernel(kernelName, tf.getBackend());
  return k != null && ours.has(k.kernelFunc);
}

/** [kH,kW,a,b] -> [(kH-1)dh+1, (kW-1)dw+1, a, b] with zeros between the taps. */
function dilateFilter(w: tf.Tensor4D, [dh, dw]: Pair): tf.Tensor4D {
  const [kH, kW, a, b] = w.shape;
  const spread = tf.pad(tf.reshape(w, [kH, 1, kW, 1, a * b]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0]]);
  const full = tf.reshape(spread, [kH * dh, kW * dw, a, b]);
  return tf.slice(full, [0, 0, 0, 0], [(kH - 1) * dh + 1, (kW - 1) * dw + 1, a, b]) as tf.Tensor4D;
}

/** Taps of a gradient w.r.t. a dilated filter: every d-th row/column. */
function undilateFilterGrad(g: tf.Tensor4D, [dh, dw]: Pair): tf.Tensor4D {
  return tf.stridedSlice(g, [0, 0, 0, 0], g.shape, [dh, dw, 1, 1]) as tf.Tensor4D;
}

function convGradConfig(kind: 'conv' | 'depthwise', ours: ReadonlySet<unknown>): tf.GradConfig {
  const inputName = kind === 'conv' ? 'Conv2DBackpropInput' : 'DepthwiseConv2dNativeBackpropInput';
  const filterName = kind === 'conv' ? 'Conv2DBackpropFilter' : 'DepthwiseConv2dNativeBackpropFilter';
  return {
    kernelName: kind === 'conv' ? 'Conv2D' : 'DepthwiseConv2dNative',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = attrs as unknown as ConvGradAttrs;
      const dil = pair(a.dilations);
      const base = { strides: a.strides, pad: a.pad, dataFormat: a.dataFormat ?? 'NHWC', dimRoundingMode: a.dimRoundingMode };
      const run = (name: string, inputs: tf.NamedTensorMap, extra: object): tf.Tensor =>
        tf.engine().runKernel(name, inputs, { ...base, ...extra } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const dilated = dil[0] > 1 || dil[1] > 1;
      return {
        x: () => {
          if (!dilated || kernelTakesDilations(inputName, ours)) {
            return run(inputName, { dy: dy as tf.Tensor, filter }, { inputShape: x.shape, dilations: dil });
          }
          return tf.tidy(() => run(inputName, { dy: dy as tf.Tensor, filter: dilateFilter(filter, dil) }, { inputShape: x.shape, dilations: 1 }));
        },
        filter: () => {
          if (!dilated || kernelTakesDilations(filterName, ours)) {
            return run(filterName, { x, dy: dy as tf.Tensor }, { filterShape: filter.shape, dilations: dil });
          }
          return tf.tidy(() => {
            const [kH, kW, a1, a2] = filter.shape;
            const big = [(kH - 1) * dil[0] + 1, (kW - 1) * dil[1] + 1, a1, a2];
            const g = run(filterName, { x, dy: dy as tf.Tensor }, { filterShape: big, dilations: 1 }) as tf.Tensor4D;
            return undilateFilterGrad(g, dil);
          });
        },
      };
    },
  };
}

export function registerConvGradients(ours: ReadonlySet<unknown>): void {
  tf.registerGradient(convGradConfig('conv', ours));
  tf.registerGradient(convGradConfig('depthwise', ours));
}
