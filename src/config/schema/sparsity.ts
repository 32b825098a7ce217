import {
  NUMBER,
  STRING,
  BOOLEAN,
  ARRAY_OF_NUMBERS,
  STRING_OR_STRINGS,
  closed,
  oneOfStrings,
  type JsonSchema,
} from './primitives.js';
import { SCOPING_PROPERTIES } from './scopes.js';
import { GENERIC_INITIALIZER_SCHEMA } from './initializer.js';
import { SPARSITY_SCHEDULES, WEIGHT_IMPORTANCE_TYPES, MOVEMENT_STRUCTURE_MODES } from '../names.js';

/** `COMMON_SPARSITY_PARAM_PROPERTIES`, shared by magnitude and RB sparsity. */
const COMMON_SPARSITY_PARAMS: Record<string, JsonSchema> = {
  // NNCF documents global/local but does not enum-check this key.
  sparsity_level_setting_mode: STRING,
  schedule: oneOfStrings(SPARSITY_SCHEDULES),
  sparsity_target: NUMBER,
  sparsity_target_epoch: NUMBER,
  sparsity_freeze_epoch: NUMBER,
  update_per_optimizer_step: BOOLEAN,
  steps_per_epoch: NUMBER,
  multistep_steps: ARRAY_OF_NUMBERS,
  multistep_sparsity_levels: ARRAY_OF_NUMBERS,
  patience: NUMBER,
  power: NUMBER,
  concave: BOOLEAN,
};

/** No per-algorithm `compression_lr_multiplier` for magnitude sparsity (as in NNCF). */
export const MAGNITUDE_SPARSITY_SCHEMA = closed(
  {
    algorithm: { const: 'magnitude_sparsity' },
    sparsity_init: NUMBER,
    initializer: GENERIC_INITIALIZER_SCHEMA,
    params: closed({ ...COMMON_SPARSITY_PARAMS, weight_importance: oneOfStrings(WEIGHT_IMPORTANCE_TYPES) }),
    ...SCOPING_PROPERTIES,
  },
  { required: ['algorithm'] },
);

/** RB sparsity has no `initializer` key at all. */
export const RB_SPARSITY_SCHEMA = closed(
  {
    algorithm: { const: 'rb_sparsity' },
    sparsity_init: NUMBER,
    params: closed(COMMON_SPARSITY_PARAMS),
    ...SCOPING_PROPERTIES,
    compression_lr_multiplier: NUMBER,
  },
  { required: ['algorithm'] },
);

export const CONST_SPARSITY_SCHEMA = closed(
  { algorithm: { const: 'const_sparsity' }, ...SCOPING_PROPERTIES },
  { required: ['algorithm'] },
);

export const MOVEMENT_PARAMS_SCHEMA = closed(
  {
    warmup_start_epoch: NUMBER,
    warmup_end_epoch: NUMBER,
    importance_regularization_factor: NUMBER,
    enable_structured_masking: BOOLEAN,
    power: NUMBER,
    init_importance_threshold: NUMBER,
    final_importance_threshold: NUMBER,
    steps_per_epoch: NUMBER,
  },
  { required: ['warmup_start_epoch', 'warmup_end_epoch', 'importance_regularization_factor'] },
);

const SPARSE_STRUCTURE_SCHEMA = closed(
  {
    mode: oneOfStrings(MOVEMENT_STRUCTURE_MODES),
    sparse_factors: ARRAY_OF_NUMBERS,
    axis: NUMBER,
    target_scopes: STRING_OR_STRINGS,
  },
  { required: ['mode', 'target_scopes'] },
);

export const MOVEMENT_SPARSITY_SCHEMA = closed(
  {
    algorithm: { const: 'movement_sparsity' },
    params: MOVEMENT_PARAMS_SCHEMA,
    sparse_structure_by_scopes: { type: 'array', items: SPARSE_STRUCTURE_SCHEMA },
    ...SCOPING_PROPERTIES,
    compression_lr_multiplier: NUMBER,
  },
  { required: ['algorithm'] },
);
