/**
 * What a quantizer is (NNCF's PTQuantizerSpec plus the channel axis our layouts need).
 * The engine keeps activations NHWC and weights in tfjs layout, so per-channel quantizers carry
 * their axis explicitly instead of NNCF's fixed dim 0 / dim 1.
 */
import { QuantizerSpecError, type QuantizationMode } from './levels.js';

export interface QuantizerSpec {
  bits: number;
  mode: QuantizationMode;
  /** `signedness_to_force`: true/false forces signedness; null/undefined = decide from statistics. */
  signedToForce?: boolean | null;
  /** Decided by the builder: 8-bit weights without half range → true; activations → false. */
  narrowRange?: boolean;
  /** Overflow fix: one bit fewer (7-bit grid for 8-bit weights). */
  halfRange?: boolean;
  /** Train log(scale) / log(input_range) instead of the value (eps becomes 0). */
  logarithmScale?: boolean;
  perChannel?: boolean;
  /** Rank of the tensors this quantizer sees (required for per-channel). */
  rank?: number;
  /** Channel axis in that tensor's layout (negative counts from the end). */
  channelAxis?: number;
  /** Number of channels (size of `channelAxis`). */
  channels?: number;
  /** `compression_lr_multiplier`: scales the gradients of the range parameters. */
  lrMultiplier?: number;
}

/** A spec with every optional field resolved. */
export interface ResolvedQuantizerSpec {
  bits: number;
  mode: QuantizationMode;
  signedToForce: boolean | null;
  narrowRange: boolean;
  halfRange: boolean;
  logarithmScale: boolean;
  perChannel: boolean;
  rank: number | null;
  channelAxis: number | null;
  channels: number;
  lrMultiplier: number;
}

export function resolveQuantizerSpec(s: QuantizerSpec): ResolvedQuantizerSpec {
  if (s.mode !== 'symmetric' && s.mode !== 'asymmetric') {
    throw new QuantizerSpecError(`mode must be "symmetric" or "asymmetric", got ${JSON.stringify(s.mode)}`);
  }
  const lrMultiplier = s.lrMultiplier ?? 1;
  if (!Number.isFinite(lrMultiplier)) throw new QuantizerSpecError(`lrMultiplier must be finite, got ${lrMultiplier}`);
  const base = {
    bits: s.bits,
    mode: s.mode,
    signedToForce: s.signedToForce ?? null,
    narrowRange: s.narrowRange ?? false,
    halfRange: s.halfRange ?? false,
    logarithmScale: s.logarithmScale ?? false,
    lrMultiplier,
  };
  if (!s.perChannel) return { ...base, perChannel: false, rank: s.rank ?? null, channelAxis: null, channels: 1 };
  const { rank, channelAxis, channels } = s;
  if (rank === undefined || !Number.isInteger(rank) || rank < 1) {
    throw new QuantizerSpecError(`per-channel quantizer needs the tensor rank (integer >= 1), got ${rank}`);
  }
  if (channelAxis === undefined || !Number.isInteger(channelAxis) || channelAxis < -rank || channelAxis >= rank) {
    throw new QuantizerSpecError(`channel axis ${channelAxis} is out of range for rank ${rank}`);
  }
  if (channels === undefined || !Number.isInteger(channels) || channels < 1) {
    throw new QuantizerSpecError(`per-channel quantizer needs a positive channel count, got ${channels}`);
  }
  const axis = channelAxis < 0 ? channelAxis + rank : channelAxis;
  return { ...base, perChannel: true, rank, channelAxis: axis, channels };
}

/** NNCF get_scale_shape: per-tensor [1]; per-channel all ones but `channels` at the channel axis. */
export function scaleShapeOf(spec: ResolvedQuantizerSpec): number[] {
  if (!spec.perChannel || spec.rank === null || spec.channelAxis === null) return [1];
  const shape = new Array<number>(spec.rank).fill(1);
  shape[spec.channelAxis] = spec.channels;
  return shape;
}
