/**
 * The plan's per-step state of a sparsity algorithm (issue 13 item 9): the scheduler's current and target
 * level, the measured model / sparsified-layers levels, and per algorithm its own quantity — magnitude:
 * the threshold of each layer; RB: the RB loss value.
 */
import {
  MagnitudeSparsityController,
  RBSparsityController,
  type SparsityControllerBase,
} from '../../algorithms/sparsity/index.js';

export function sparsityState(ctrl: SparsityControllerBase): Record<string, number | Record<string, number>> {
  const stats = ctrl.collect();
  const s = ctrl.scheduler;
  const state: Record<string, number | Record<string, number>> = {
    level: s.currentSparsityLevel,
    target_level: s.targetLevel,
    model_sparsity_level: stats.sparsityLevel,
    sparsity_level_for_layers: stats.sparsityLevelForLayers,
  };
  if (ctrl instanceof MagnitudeSparsityController)
    state.thresholds = Object.fromEntries(ctrl.thresholds(stats).map((t) => [t.name, t.threshold]));
  if (ctrl instanceof RBSparsityController) {
    const loss = ctrl.loss();
    state.loss = loss.dataSync()[0];
    loss.dispose();
  }
  return state;
}
