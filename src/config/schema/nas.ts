import {
  NUMBER,
  STRING,
  BOOLEAN,
  ARRAY_OF_NUMBERS,
  ARRAY_OF_STRINGS,
  STRING_OR_STRINGS,
  closed,
  oneOfStrings,
  objectOrListOf,
} from './primitives.js';
import { BATCHNORM_ADAPTATION_SCHEMA } from './initializer.js';
import { KNOWLEDGE_DISTILLATION_SCHEMA } from './distillation.js';
import { NAS_TRAINING_ALGORITHMS, NAS_SEARCH_ALGORITHMS } from '../names.js';

const STAGE_DESCRIPTOR_SCHEMA = closed({
  train_dims: ARRAY_OF_STRINGS,
  epochs: NUMBER,
  depth_indicator: NUMBER,
  width_indicator: NUMBER,
  reorg_weights: BOOLEAN,
  bn_adapt: BOOLEAN,
  init_lr: NUMBER,
  epochs_lr: NUMBER,
  sample_rate: NUMBER,
});

const WIDTH_ELASTICITY_SCHEMA = closed({
  min_width: NUMBER,
  max_num_widths: NUMBER,
  width_step: NUMBER,
  width_multipliers: ARRAY_OF_NUMBERS,
  filter_importance: STRING,
  external_importance_path: STRING,
});

const DEPTH_ELASTICITY_SCHEMA = closed({
  skipped_blocks: { type: 'array', items: ARRAY_OF_STRINGS },
  min_block_size: NUMBER,
  max_block_size: NUMBER,
  hw_fused_ops: BOOLEAN,
});

const KERNEL_ELASTICITY_SCHEMA = closed({ max_num_kernels: NUMBER });

export const ELASTICITY_SCHEMA = closed({
  available_elasticity_dims: ARRAY_OF_STRINGS,
  ignored_scopes: STRING_OR_STRINGS,
  target_scopes: STRING_OR_STRINGS,
  width: WIDTH_ELASTICITY_SCHEMA,
  depth: DEPTH_ELASTICITY_SCHEMA,
  kernel: KERNEL_ELASTICITY_SCHEMA,
});

export const NAS_TRAINING_SCHEMA = closed({
  algorithm: oneOfStrings(NAS_TRAINING_ALGORITHMS),
  progressivity_of_elasticity: ARRAY_OF_STRINGS,
  batchnorm_adaptation: BATCHNORM_ADAPTATION_SCHEMA,
  schedule: closed({ list_stage_descriptions: { type: 'array', items: STAGE_DESCRIPTOR_SCHEMA } }),
  elasticity: ELASTICITY_SCHEMA,
  lr_schedule: closed({ params: closed({ base_lr: NUMBER }) }),
  train_steps: NUMBER,
  // NNCF's ProgressiveShrinkingBuilder reads it (knowledge distillation from the supernet; its own test sets
  // it), although its schema leaves it out: knowledge_distillation entries only.
  compression: objectOrListOf(KNOWLEDGE_DISTILLATION_SCHEMA),
});

export const NAS_SEARCH_SCHEMA = closed({
  algorithm: oneOfStrings(NAS_SEARCH_ALGORITHMS),
  batchnorm_adaptation: BATCHNORM_ADAPTATION_SCHEMA,
  num_evals: NUMBER,
  num_constraints: NUMBER,
  population: NUMBER,
  crossover_prob: NUMBER,
  crossover_eta: NUMBER,
  mutation_prob: NUMBER,
  mutation_eta: NUMBER,
  acc_delta: NUMBER,
  ref_acc: NUMBER,
  // NNCF's schema says an array of numbers, but its code (np.array → pymoo's ref_points) needs points:
  // both forms validate; search/params.ts reads a flat pair as one point.
  aspiration_points: { type: 'array', items: { type: ['number', 'array'], if: { type: 'array' }, then: { items: NUMBER } } },
  epsilon: NUMBER,
  weights: NUMBER,
  extreme_points_as_ref_points: BOOLEAN,
  // The search stage may distil from the supernet: knowledge_distillation entries only.
  compression: objectOrListOf(KNOWLEDGE_DISTILLATION_SCHEMA),
});

export const BOOTSTRAP_NAS_SCHEMA = closed({ training: NAS_TRAINING_SCHEMA, search: NAS_SEARCH_SCHEMA });
