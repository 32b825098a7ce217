/**
 * Numbers the exporters write for one quantizer (spec/algorithms.md §1.5 "Export", §5):
 * NNCF's FakeQuantize(x, input_low, input_high, output_low, output_high, levels) or an ONNX
 * QuantizeLinear/DequantizeLinear pair. Half range maps the 7-bit grid back onto 8-bit levels
 * over a doubled range, with x clipped to the 7-bit range first (as NNCF's export does).
 */
import * as tf from '@tensorflow/tfjs-core';
import { QuantizerSpecError, type LevelRange, type QuantizationMode } from './levels.js';
import { tuneRange } from './quantize-math.js';

export interface ExportInput {
  mode: QuantizationMode;
  halfRange: boolean;
  levels: LevelRange;
  eps: number;
  shape: number[];
  channelAxis: number | null;
  /** Real (not log) parameter values: `scale` for symmetric, `inputLow`/`inputRange` for asymmetric. */
  scale?: Float32Array;
  inputLow?: Float32Array;
  inputRange?: Float32Array;
}

export interface FakeQuantizeParams {
  levels: number;
  levelLow: number;
  levelHigh: number;
  /** input_low = output_low, one value per scale element (shape `shape`). */
  inputLow: Float32Array;
  /** input_high = output_high. */
  inputHigh: Float32Array;
  shape: number[];
  channelAxis: number | null;
  /** Present with half range: clip x to [low, high] before the FakeQuantize node. */
  clip?: { low: Float32Array; high: Float32Array };
}

/**
 * input_low/input_high of the export. `factor` = widened level_high / own level_high (half range):
 * symmetric scales `scale` by it (NNCF); asymmetric widens the *tuned* 7-bit range by it, which
 * keeps the exported grid identical to the simulated one. (NNCF re-runs TuneRange on the widened
 * range with the 7-bit level count instead, which shifts the grid slightly; we do not copy that.)
 */
function lowHigh(inp: ExportInput, lv: LevelRange, factor: number): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    if (inp.mode === 'symmetric') {
      const scale = tf.mul(tf.tensor(need(inp.scale, 'scale'), inp.shape), factor);
      const high = tf.add(tf.abs(scale), inp.eps);
      const low = tf.div(tf.mul(high, lv.levelLow), lv.levelHigh);
      return [low.dataSync() as Float32Array, high.dataSync() as Float32Array];
    }
    const range = tf.add(tf.abs(tf.tensor(need(inp.inputRange, 'inputRange'), inp.shape)), inp.eps);
    const [low, r] = tuneRange(tf.tensor(need(inp.inputLow, 'inputLow'), inp.shape), range, inp.levels.levels);
    const high = tf.add(low, factor === 1 ? r : tf.mul(r, factor));
    return [low.dataSync() as Float32Array, high.dataSync() as Float32Array];
  });
}

function need(a: Float32Array | undefined, name: string): Float32Array {
  if (!a) throw new QuantizerSpecError(`export needs the ${name} parameter values`);
  return a;
}

/** NNCF `_prepare_export_quantization` for either mode. */
export function fakeQuantizeParams(inp: ExportInput): FakeQuantizeParams {
  const lv = inp.levels;
  const [low, high] = lowHigh(inp, lv, 1);
  const base = { shape: inp.shape, channelAxis: inp.channelAxis };
  if (!inp.halfRange) return { ...base, ...lv, inputLow: low, inputHigh: high };
  const levelLow = 2 * lv.levelLow;
  const levelHigh = 2 * lv.levelHigh + 1;
  const wide: LevelRange = { levelLow, levelHigh, levels: levelHigh - levelLow + 1 };
  const [wLow, wHigh] = lowHigh(inp, wide, levelHigh / lv.levelHigh);
  return { ...base, ...wide, inputLow: wLow, inputHigh: wHigh, clip: { low, high } };
}

export interface QdqParams {
  /** y_scale per channel (length 1 per-tensor). */
  scale: Float32Array;
  /** y_zero_point, already clamped to the level range. */
  zeroPoint: Int32Array;
  dtype: 'int8' | 'uint8';
  /** Channel axis in the quantizer's layout, null for per-tensor. */
  axis: number | null;
  clip?: { low: Float32Array; high: Float32Array };
}

/** Round half to even, like torch.round. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** NNCF `get_scale_zp_from_input_low_input_high` (float32 arithmetic). Only 255/256 levels. */
export function qdqParams(fq: FakeQuantizeParams): QdqParams {
  const { levelLow: ll, levelHigh: lh } = fq;
  if (fq.levels !== 255 && fq.levels !== 256) {
    throw new QuantizerSpecError(
      `QuantizeLinear/DequantizeLinear export supports only 8-bit (255/256 levels), this quantizer has ${fq.levels}`,
    );
  }
  const f = Math.fround;
  const n = fq.inputLow.length;
  const scale = new Float32Array(n);
  const zeroPoint = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const il = fq.inputLow[i];
    const ih = fq.inputHigh[i];
    const width = f(ih - il);
    scale[i] = f(width / (lh - ll));
    const zp = f(f(f(ll * ih) - f(lh * il)) / width);
    zeroPoint[i] = Math.min(Math.max(roundHalfEven(zp), ll), lh);
  }
  const perChannel = fq.channelAxis !== null && n > 1;
  return {
    scale: perChannel ? scale : scale.slice(0, 1),
    zeroPoint: perChannel ? zeroPoint : zeroPoint.slice(0, 1),
    dtype: ll < 0 ? 'int8' : 'uint8',
    axis: perChannel ? fq.channelAxis : null,
    ...(fq.clip ? { clip: fq.clip } : {}),
  };
}
