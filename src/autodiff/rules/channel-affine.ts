/**
 * t·scale[c] + shift[c] per channel (axis 1) as one inference-form BatchNormalization (mean 0, var 1,
 * epsilon 0): ORT runs it as a fused per-channel loop, much faster than a broadcasting Mul/Add.
 */
import type { GraphEmitter } from '../emitter.js';

export function channelAxes(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
}

export function channelAffine(
  emit: GraphEmitter,
  t: string,
  channels: number,
  by: { scale?: string; shift?: string },
  base: string,
): string {
  const zeros = emit.floats(new Float32Array(channels), [channels]);
  const ones = emit.floats(new Float32Array(channels).fill(1), [channels]);
  return emit.op(
    'BatchNormalization',
    [t, by.scale ?? ones, by.shift ?? zeros, zeros, ones],
    { epsilon: { float: 0 } },
    base,
  );
}
