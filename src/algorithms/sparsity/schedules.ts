/**
 * NNCF's schedule functions (nncf/common/schedulers.py), as pure functions of the epoch index: the
 * sparsity schedulers (schedulers.ts) and the plan's schedule table both compute levels with these.
 */

/**
 * PolynomialDecaySchedule: progress p = clamp(epoch / targetEpoch, 0, 1), or with a step and
 * steps per epoch p = clamp((epoch + step / stepsPerEpoch) / targetEpoch, 0, 1);
 * concave: target − (target − init)·(1 − p)^power; convex: init + (target − init)·p^power.
 * targetEpoch 0 gives the target at once.
 */
export function polynomialDecay(
  s: { initial: number; target: number; targetEpoch: number; power: number; concave: boolean },
  epoch: number,
  step?: number,
  stepsPerEpoch?: number,
): number {
  if (s.targetEpoch === 0) return s.target;
  const fractional = step !== undefined && stepsPerEpoch !== undefined ? epoch + step / stepsPerEpoch : epoch;
  const progress = Math.min(1, Math.max(0, fractional / s.targetEpoch));
  return s.concave
    ? s.target - (s.target - s.initial) * Math.pow(1 - progress, s.power)
    : s.initial + (s.target - s.initial) * Math.pow(progress, s.power);
}

/** ExponentialDecaySchedule: initial·(target/initial)^(epoch/targetEpoch), never below target. */
export function exponentialDecay(initial: number, target: number, targetEpoch: number, epoch: number): number {
  if (targetEpoch === 0) return target;
  const value = initial * Math.pow(target / initial, epoch / targetEpoch);
  return Math.max(value, target);
}

/** MultiStepSchedule: values[bisect_right(boundaries, epoch)]; boundaries sorted ascending. */
export function multiStep(boundaries: readonly number[], values: readonly number[], epoch: number): number {
  if (boundaries.length + 1 !== values.length)
    throw new RangeError(`the multistep schedule needs one more value than boundaries (${boundaries.length} boundaries, ${values.length} values)`);
  let pos = 0;
  while (pos < boundaries.length && boundaries[pos] <= epoch) pos++;
  return values[pos];
}
