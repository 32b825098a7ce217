/**
 * What a trained supernet is besides its ONNX weights, so that any subnet can be set again later
 * (`nncf-ts nas-export`) without retraining: the elastic handlers' state (enabled dimensions, the active
 * subnet, elastic width's channel order by importance and its indicator) and elastic kernel's trained
 * K→k transform matrices, which live outside the graph. JSON-serialisable.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ElasticityError, type MultiElasticityHandler, type MultiElasticityState } from './elasticity.js';

export interface SupernetState {
  elasticity: MultiElasticityState;
  /** Elastic kernel's transform matrices in the handler's trainableVariables() order (absent without kernel elasticity). */
  kernel_transforms?: { shape: number[]; data: number[] }[];
}

export function supernetState(handler: MultiElasticityHandler): SupernetState {
  const vars = handler.dims.kernel?.trainableVariables?.() ?? [];
  const state: SupernetState = { elasticity: handler.getState() };
  if (vars.length > 0) state.kernel_transforms = vars.map((v) => ({ shape: [...v.shape], data: Array.from(v.dataSync()) }));
  return state;
}

/** Restores a supernetState() onto a handler built from the same config on the same model. */
export function loadSupernetState(handler: MultiElasticityHandler, state: SupernetState): void {
  if (!state || typeof state !== 'object' || !state.elasticity) throw new ElasticityError('supernet state: no "elasticity" part');
  const vars = handler.dims.kernel?.trainableVariables?.() ?? [];
  const saved = state.kernel_transforms ?? [];
  if (saved.length !== vars.length)
    throw new ElasticityError(`supernet state: ${saved.length} elastic kernel transform(s) saved, the handler built from the config has ${vars.length}`);
  saved.forEach((s, i) => {
    const want = vars[i].shape;
    if (s.shape.length !== want.length || s.shape.some((d, j) => d !== want[j]) || s.data.length !== vars[i].size)
      throw new ElasticityError(`supernet state: elastic kernel transform ${i} has shape [${s.shape.join(', ')}], the handler's is [${want.join(', ')}]`);
  });
  handler.loadState(state.elasticity);
  saved.forEach((s, i) => tf.tidy(() => vars[i].assign(tf.tensor(s.data, s.shape, 'float32'))));
}
