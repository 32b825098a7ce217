import * as tf from '@tensorflow/tfjs-core';
import { defineOp } from '../registry.js';

/**
 * OpenVINO FakeQuantize (domain org.openvinotoolkit), as NNCF's FakeQuantize export writes it:
 * inputs X, input_low, input_high, output_low, output_high (broadcast against X), attribute `levels`.
 * OpenVINO's meaning is k = round((clamp(X) − in_low)/(in_high − in_low)·(levels−1)),
 * Y = k/(levels−1)·(out_high − out_low) + out_low. It is computed here in NNCF's own operation order
 * (s = (levels−1)/range, zp = round(−in_low·s), m = round((clamp(X) − in_low)·s − zp), m/s), so that
 * with output range = input range — what the export writes — the loaded model gives the simulated
 * quantizer's float32 values; the output range then maps with factor 1 and offset 0 exactly.
 * Rounding is half to even (torch.round, OpenVINO's nearbyint). Runs in inference only (no gradient rule).
 * An empty input range (in_low = in_high, binarization's export) is OpenVINO's step: x ≤ in_low → out_low,
 * x > in_high → out_high.
 */
defineOp(
  'FakeQuantize',
  ([x, inLow, inHigh, outLow, outHigh], ctx) => {
    const levels = ctx.int('levels', 0);
    if (!Number.isInteger(levels) || levels < 2) throw ctx.error(`FakeQuantize needs levels ≥ 2, got ${levels}`);
    const range = tf.sub(inHigh!, inLow!);
    const s = tf.div(levels - 1, range);
    const clamped = tf.minimum(tf.maximum(x!, inLow!), inHigh!);
    const zp = tf.round(tf.mul(tf.neg(inLow!), s));
    const m = tf.round(tf.sub(tf.mul(tf.sub(clamped, inLow!), s), zp));
    const outScale = tf.div(tf.sub(outHigh!, outLow!), range);
    const y = tf.add(tf.mul(tf.div(m, s), outScale), tf.sub(outLow!, tf.mul(inLow!, outScale)));
    // in_low = in_high (binarization's levels-2 export): OpenVINO's step, x ≤ in_low → out_low, else out_high
    const step = tf.where(tf.greater(x!, inHigh!), tf.broadcastTo(outHigh!, y.shape), tf.broadcastTo(outLow!, y.shape));
    return tf.where(tf.equal(tf.broadcastTo(range, y.shape), 0), step, y);
  },
  { layout: 'elementwise' },
);
