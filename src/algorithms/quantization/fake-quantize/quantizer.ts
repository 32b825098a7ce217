/**
 * A quantizer: NNCF's SymmetricQuantizer / AsymmetricQuantizer with its range parameters held as
 * tf.Variables. `apply` is the differentiable fake quantization the engine inserts at a point.
 */
import * as tf from '@tensorflow/tfjs-core';
import { QuantizerSpecError, quantizerLevels, type LevelRange } from './levels.js';
import { QUANTIZER_EPS, asymmetricFakeQuantize, safeRangeOp, symmetricFakeQuantize } from './fake-quantize-ops.js';
import { asymmetricMinMaxInit, checkMinMax, symmetricMinMaxInit, type StatArray } from './minmax-init.js';
import { fakeQuantizeParams, qdqParams, type FakeQuantizeParams, type QdqParams } from './export-params.js';
import { resolveQuantizerSpec, scaleShapeOf, type QuantizerSpec, type ResolvedQuantizerSpec } from './quantizer-spec.js';
import { isQuantizerState, type QuantizerState } from './quantizer-state.js';

export class Quantizer {
  readonly spec: ResolvedQuantizerSpec;
  readonly scaleShape: number[];
  readonly eps: number;
  /** Disabled quantizers pass x through (staged scheduler, precision init). */
  enabled = true;
  /** Set when parameters come from a checkpoint: range init then leaves them alone (as NNCF). */
  initialized = false;
  private signedFlag: boolean;
  /** Symmetric: scale (or log scale). Asymmetric: input_range (or its log). */
  private readonly rangeVar: tf.Variable;
  /** Asymmetric only: input_low. */
  private readonly lowVar: tf.Variable | null;

  constructor(spec: QuantizerSpec, name?: string) {
    this.spec = resolveQuantizerSpec(spec);
    this.scaleShape = scaleShapeOf(this.spec);
    this.eps = this.spec.logarithmScale ? 0 : QUANTIZER_EPS;
    // Initial values before range init: scale = 1 / input_low = 0, input_range = 1 (log: 0).
    this.signedFlag = this.spec.mode === 'asymmetric' ? true : (this.spec.signedToForce ?? false);
    quantizerLevels(this.levelOptions()); // validates bits before any variable exists
    const init = this.spec.logarithmScale ? 0 : 1;
    const rangeName = this.spec.mode === 'symmetric' ? 'scale' : 'input_range';
    // tf.variable copies its initial value: build that value inside tidy so it is released
    this.rangeVar = tf.tidy(() => tf.variable(tf.fill(this.scaleShape, init), true, name && `${name}/${rangeName}`));
    this.lowVar = this.spec.mode === 'asymmetric' ? tf.tidy(() => tf.variable(tf.zeros(this.scaleShape), true, name && `${name}/input_low`)) : null;
  }

  private levelOptions() {
    const { bits, mode, narrowRange, halfRange } = this.spec;
    return { bits, mode, narrowRange, halfRange, signed: this.signedFlag };
  }

  /** Asymmetric quantizers report signed = true (NNCF). */
  get signed(): boolean {
    return this.signedFlag;
  }

  set signed(v: boolean) {
    if (this.spec.mode === 'asymmetric' && !v) throw new QuantizerSpecError('asymmetric quantizers are always signed');
    this.signedFlag = v;
  }

  get levelRange(): LevelRange {
    return quantizerLevels(this.levelOptions());
  }

  get isPerChannel(): boolean {
    return this.spec.perChannel;
  }

  /** Fake-quantizes x (shape must broadcast with `scaleShape`); identity when disabled. */
  apply(x: tf.Tensor): tf.Tensor {
    if (!this.enabled) return x;
    const lv = this.levelRange;
    const o = { logarithmScale: this.spec.logarithmScale, eps: this.eps, lrMultiplier: this.spec.lrMultiplier };
    if (this.lowVar === null) return symmetricFakeQuantize(x, this.rangeVar, lv, o);
    return asymmetricFakeQuantize(x, this.lowVar, this.rangeVar, lv, o);
  }

  /** The safe scale |scale| + eps (exp(log scale) with logarithm_scale) as a tensor that carries gradients to the scale (symmetric). */
  safeScale(): tf.Tensor {
    if (this.lowVar !== null) throw new QuantizerSpecError('safeScale() is for symmetric quantizers');
    return safeRangeOp(this.rangeVar, { logarithmScale: this.spec.logarithmScale, eps: this.eps, lrMultiplier: this.spec.lrMultiplier });
  }

  /** The trainable range parameters (log-domain when logarithm_scale). */
  trainableVariables(): tf.Variable[] {
    return this.lowVar ? [this.lowVar, this.rangeVar] : [this.rangeVar];
  }

  private realRange(): Float32Array {
    const v = this.rangeVar.dataSync() as Float32Array;
    return this.spec.logarithmScale ? v.map(Math.exp) : v.slice();
  }

  private setRange(real: ArrayLike<number>, fromCheckpoint = false): void {
    // NNCF: init stores log(v); checkpoint load stores log(|v|).
    const v = Float32Array.from(real, (r) => (this.spec.logarithmScale ? Math.log(fromCheckpoint ? Math.abs(r) : r) : r));
    tf.tidy(() => this.rangeVar.assign(tf.tensor(v, this.scaleShape)));
  }

  /** Real scale values (symmetric). */
  scale(): Float32Array {
    if (this.spec.mode !== 'symmetric') throw new QuantizerSpecError('scale() is for symmetric quantizers');
    return this.realRange();
  }

  /** Real input_low / input_range (asymmetric), before TuneRange. */
  inputLowRange(): { inputLow: Float32Array; inputRange: Float32Array } {
    if (this.lowVar === null) throw new QuantizerSpecError('inputLowRange() is for asymmetric quantizers');
    return { inputLow: (this.lowVar.dataSync() as Float32Array).slice(), inputRange: this.realRange() };
  }

  /**
   * NNCF apply_minmax_init: statistics (one value per scale element) → parameters.
   * Returns false (and changes nothing) when the quantizer was loaded from a checkpoint.
   */
  applyMinMaxInit(min: StatArray, max: StatArray, who = 'quantizer'): boolean {
    if (this.initialized) return false;
    checkMinMax(min, max, this.scaleShape.reduce((a, b) => a * b, 1), who);
    if (this.lowVar === null) {
      const r = symmetricMinMaxInit(min, max, this.spec.signedToForce);
      this.signedFlag = r.signed;
      this.setRange(r.scale);
    } else {
      const r = asymmetricMinMaxInit(min, max);
      this.setRange(r.inputRange);
      const lowVar = this.lowVar;
      tf.tidy(() => lowVar.assign(tf.tensor(r.inputLow, this.scaleShape)));
    }
    return true;
  }

  /** Parameters of NNCF's FakeQuantize export node. */
  fakeQuantizeParams(): FakeQuantizeParams {
    const common = {
      mode: this.spec.mode,
      halfRange: this.spec.halfRange,
      levels: this.levelRange,
      eps: this.eps,
      shape: this.scaleShape,
      channelAxis: this.spec.perChannel ? this.spec.channelAxis : null,
    };
    if (this.lowVar === null) return fakeQuantizeParams({ ...common, scale: this.realRange() });
    return fakeQuantizeParams({ ...common, ...this.inputLowRange() });
  }

  /** y_scale / y_zero_point of a QuantizeLinear/DequantizeLinear pair (8-bit only). */
  qdqParams(): QdqParams {
    return qdqParams(this.fakeQuantizeParams());
  }

  toState(): QuantizerState {
    const s = this.spec;
    const spec: QuantizerSpec = {
      bits: s.bits,
      mode: s.mode,
      signedToForce: s.signedToForce,
      narrowRange: s.narrowRange,
      halfRange: s.halfRange,
      logarithmScale: s.logarithmScale,
      perChannel: s.perChannel,
      lrMultiplier: s.lrMultiplier,
      ...(s.perChannel ? { rank: s.rank ?? undefined, channelAxis: s.channelAxis ?? undefined, channels: s.channels } : {}),
    };
    const params = this.lowVar === null
      ? { scale: Array.from(this.realRange()) }
      : { input_low: Array.from(this.lowVar.dataSync()), input_range: Array.from(this.realRange()) };
    return { spec, signed: this.signedFlag, enabled: this.enabled, params };
  }

  /** Rebuilds a quantizer from `toState()`; the result counts as initialized (range init skips it). */
  static fromState(state: unknown, name?: string): Quantizer {
    if (!isQuantizerState(state)) throw new QuantizerSpecError('not a quantizer state: expected {spec, signed, enabled, params}');
    const q = new Quantizer(state.spec, name);
    try {
      q.loadParams(state);
    } catch (e) {
      q.dispose();
      throw e;
    }
    return q;
  }

  private loadParams(state: QuantizerState): void {
    const numel = this.scaleShape.reduce((a, b) => a * b, 1);
    const take = (key: 'scale' | 'input_low' | 'input_range'): number[] => {
      const v = state.params[key];
      if (!Array.isArray(v) || v.length !== numel || !v.every((x) => typeof x === 'number')) {
        throw new QuantizerSpecError(`quantizer state: params.${key} must be ${numel} numbers`);
      }
      return v;
    };
    this.signed = state.signed; // re-derives the levels, like NNCF's post-load set_levels hook
    this.enabled = state.enabled;
    if (this.lowVar === null) this.setRange(take('scale'), true);
    else {
      this.setRange(take('input_range'), true);
      const low = take('input_low');
      const lowVar = this.lowVar;
      tf.tidy(() => lowVar.assign(tf.tensor(low, this.scaleShape)));
    }
    this.initialized = true;
  }

  dispose(): void {
    this.rangeVar.dispose();
    this.lowVar?.dispose();
  }
}
