import { NUMBER, STRING, BOOLEAN, closed, oneOfStrings } from './primitives.js';
import { SCOPING_PROPERTIES } from './scopes.js';
import { GENERIC_INITIALIZER_SCHEMA } from './initializer.js';
import { PRUNING_SCHEDULES, FILTER_IMPORTANCE_TYPES, INTERLAYER_RANKING_TYPES } from '../names.js';

/** LeGR evolution parameters (the last four keys arrived after v2.9.0). */
export const LEGR_PARAMS_SCHEMA = closed({
  generations: NUMBER,
  train_steps: NUMBER,
  max_pruning: NUMBER,
  random_seed: NUMBER,
  population_size: NUMBER,
  num_samples: NUMBER,
  mutate_percent: NUMBER,
  scale_sigma: NUMBER,
});

export const FILTER_PRUNING_PARAMS_SCHEMA = closed({
  schedule: oneOfStrings(PRUNING_SCHEDULES),
  pruning_target: NUMBER,
  pruning_flops_target: NUMBER,
  pruning_steps: NUMBER,
  num_init_steps: NUMBER,
  filter_importance: oneOfStrings(FILTER_IMPORTANCE_TYPES),
  interlayer_ranking_type: oneOfStrings(INTERLAYER_RANKING_TYPES),
  all_weights: BOOLEAN,
  prune_first_conv: BOOLEAN,
  prune_downsample_convs: BOOLEAN,
  prune_batch_norms: BOOLEAN,
  legr_params: LEGR_PARAMS_SCHEMA,
  save_ranking_coeffs_path: STRING,
  load_ranking_coeffs_path: STRING,
});

/** No per-algorithm `compression_lr_multiplier` here: NNCF's pruning schema lacks it. */
export const FILTER_PRUNING_SCHEMA = closed(
  {
    algorithm: { const: 'filter_pruning' },
    initializer: GENERIC_INITIALIZER_SCHEMA,
    pruning_init: NUMBER,
    params: FILTER_PRUNING_PARAMS_SCHEMA,
    ...SCOPING_PROPERTIES,
  },
  { required: ['algorithm'] },
);
