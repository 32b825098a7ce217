/**
 * The node form of a quantizer's insertion commands (compression/node-form.ts): one FakeQuantize node
 * of the compression domain whose inputs read the quantizer live — its range variables (trainable,
 * with compression_lr_multiplier) and its `enabled` switch as a 0-d float flag — so range init,
 * signedness decided by statistics, checkpoint loads and the staged scheduler need no re-splice.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressionNodeForm, CompressionNodeInput } from '../../../compression/index.js';
import { FAKE_QUANTIZE_OP } from './node-rule.js';
import type { Quantizer } from './quantizer.js';

const flags = new Map<number, tf.Tensor>();

/** A kept 0-d float 0 or 1 (one of each, shared: the flag inputs only read them). */
function flagTensor(on: boolean): tf.Tensor {
  const v = on ? 1 : 0;
  let t = flags.get(v);
  if (!t || t.isDisposed) {
    t = tf.scalar(v, 'float32');
    flags.set(v, t);
  }
  return t;
}

/**
 * `quantizer()` returns the module's current quantizer (a checkpoint load swaps it). `onnxScaleShape`:
 * the parameters' ONNX-layout shape when the quantizer keeps them in the engine's weight layout
 * (per-channel weights, e.g. [1,1,1,C] stored for ONNX [C,1,1,1]).
 */
export function fakeQuantizeNodeForm(quantizer: () => Quantizer, name: string, onnxScaleShape?: readonly number[]): CompressionNodeForm {
  const q = quantizer();
  const lv = q.levelRange;
  const symmetric = q.spec.mode === 'symmetric';
  const param = (key: string, index: number): CompressionNodeInput => ({
    name: `${name}/${key}`,
    get value() {
      return quantizer().trainableVariables()[index];
    },
    ...(onnxScaleShape
      ? {
          toOnnx: (t: tf.Tensor) => tf.reshape(t, [...onnxScaleShape]),
          fromOnnx: (g: tf.Tensor) => tf.reshape(g, quantizer().scaleShape),
        }
      : {}),
    trainable: true,
    lrMultiplier: q.spec.lrMultiplier,
    active: () => quantizer().enabled,
  });
  const params = symmetric ? [param('scale', 0)] : [param('input_low', 0), param('input_range', 1)];
  const enabled: CompressionNodeInput = {
    name: `${name}/enabled`,
    get value() {
      return flagTensor(quantizer().enabled);
    },
    trainable: false,
  };
  return {
    opType: FAKE_QUANTIZE_OP,
    attributes: {
      mode: { type: 'string', value: q.spec.mode },
      level_low: { type: 'int', value: lv.levelLow },
      level_high: { type: 'int', value: lv.levelHigh },
      logarithm_scale: { type: 'int', value: q.spec.logarithmScale ? 1 : 0 },
      eps: { type: 'float', value: q.eps },
    },
    inputs: [...params, enabled],
  };
}
