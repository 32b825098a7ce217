/**
 * In-memory best checkpoints for a CompressedModel: copies of every engine weight (BatchNorm statistics
 * included), of the compression parameters, and the rate of each adaptive controller — NNCF's state_dict,
 * whose mask buffers carry the rate; here the rate is set back and the algorithm recomputes its masks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel, CompressionController } from '../../compression/index.js';
import { leafControllers } from '../controllers.js';
import type { AccuracyAwareCallbacks } from './types.js';

export interface ModelState {
  values: tf.Tensor[];
  rates: (number | undefined)[];
}

export function modelStateCheckpoints(
  model: CompressedModel,
  controller: CompressionController,
): Pick<AccuracyAwareCallbacks<ModelState>, 'saveState' | 'loadState' | 'releaseState'> {
  const variables = (): tf.Variable[] => {
    const all = [...model.engine.weights().map((w) => w.variable), ...controller.compressionVariables()];
    return [...new Set(all)];
  };
  const leaves = leafControllers(controller).map(([c]) => c);
  return {
    saveState: () => ({
      values: variables().map((v) => tf.keep(v.clone())),
      rates: leaves.map((c) => (typeof c.compressionRate === 'number' ? c.compressionRate : undefined)),
    }),
    loadState: (state) => {
      const vars = variables();
      if (vars.length !== state.values.length) throw new Error(`model state has ${state.values.length} tensors, the model ${vars.length}`);
      vars.forEach((v, i) => v.assign(state.values[i]));
      leaves.forEach((c, i) => {
        const rate = state.rates[i];
        if (rate !== undefined && c.compressionRate !== rate) c.compressionRate = rate;
      });
    },
    releaseState: (state) => tf.dispose(state.values),
  };
}
