/**
 * The schedule part of a plan: the controller's scheduler driven like NNCF's sample training loop with
 * no training in between — `epoch_step()` at the start of each epoch, then `step()` once per batch —
 * with each algorithm's state recorded after construction, after each epoch_step and after each step.
 */
import type { CompressionController } from '../../compression/index.js';
import { algorithmState, controllersOf, type AlgorithmState } from './algorithms.js';

export interface ScheduleRecord {
  /** −1: after construction. */
  epoch: number;
  /** −1: right after epoch_step(); otherwise the step's index within the epoch. */
  step: number;
  /** The scheduler's own step counter (NNCF's current_step, global across epochs). */
  global_step: number;
  algorithms: Record<string, AlgorithmState>;
}

/** Waits for work a scheduler started on epoch_step (the staged quantizer's range re-init). */
async function settle(ctrl: CompressionController): Promise<void> {
  for (const c of controllersOf(ctrl)) await (c.scheduler as { settled?: () => Promise<void> }).settled?.();
}

export async function driveSchedule(
  ctrl: CompressionController,
  epochs: number,
  stepsPerEpoch: number,
): Promise<ScheduleRecord[]> {
  const records: ScheduleRecord[] = [];
  const record = (epoch: number, step: number) =>
    records.push({
      epoch,
      step,
      global_step: ctrl.scheduler.currentStep,
      algorithms: Object.fromEntries(controllersOf(ctrl).map((c) => [c.name, algorithmState(c)])),
    });
  record(-1, -1);
  for (let epoch = 0; epoch < epochs; epoch++) {
    ctrl.scheduler.epochStep();
    await settle(ctrl);
    record(epoch, -1);
    for (let step = 0; step < stepsPerEpoch; step++) {
      ctrl.scheduler.step();
      await settle(ctrl);
      record(epoch, step);
    }
  }
  return records;
}
