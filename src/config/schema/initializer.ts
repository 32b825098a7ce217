import {
  NUMBER,
  STRING,
  BOOLEAN,
  ARRAY_OF_NUMBERS,
  closed,
  open,
  oneOfStrings,
  type JsonSchema,
} from './primitives.js';
import { SCOPING_PROPERTIES } from './scopes.js';
import {
  RANGE_INIT_TYPES,
  QUANTIZER_GROUPS,
  PRECISION_INIT_TYPES,
  BITWIDTH_ASSIGNMENT_MODES,
} from '../names.js';

export const BATCHNORM_ADAPTATION_SCHEMA = closed({ num_bn_adaptation_samples: NUMBER });

/** `params` of a range initializer is open in NNCF: only the two percentiles are typed. */
const RANGE_PARAMS_SCHEMA = open({ min_percentile: NUMBER, max_percentile: NUMBER });

const RANGE_PROPERTIES: Record<string, JsonSchema> = {
  num_init_samples: NUMBER,
  type: oneOfStrings(RANGE_INIT_TYPES),
  params: RANGE_PARAMS_SCHEMA,
};

/** One range initializer for all quantizers ("global_range_init_configuration"). */
export const GLOBAL_RANGE_INIT_SCHEMA = closed(RANGE_PROPERTIES);

/** One entry of the per-layer list; NNCF leaves these entries open (no additionalProperties). */
export const PER_LAYER_RANGE_INIT_SCHEMA = open({
  ...RANGE_PROPERTIES,
  ...SCOPING_PROPERTIES,
  target_quantizer_group: oneOfStrings(QUANTIZER_GROUPS),
});

export const RANGE_INIT_SCHEMA: JsonSchema = {
  type: ['object', 'array'],
  if: { type: 'array' },
  then: { items: PER_LAYER_RANGE_INIT_SCHEMA },
  else: GLOBAL_RANGE_INIT_SCHEMA,
};

/** `[bits, scope]`; `[scope, bits]` is the classic mistake and fails on item 0. */
const BITWIDTH_SCOPE_PAIR_SCHEMA: JsonSchema = {
  type: 'array',
  items: [NUMBER, STRING],
  additionalItems: false,
  minItems: 2,
};

export const PRECISION_INIT_SCHEMA = closed({
  type: oneOfStrings(PRECISION_INIT_TYPES),
  bits: ARRAY_OF_NUMBERS,
  num_data_points: NUMBER,
  iter_number: NUMBER,
  tolerance: NUMBER,
  compression_ratio: NUMBER,
  eval_subset_ratio: NUMBER,
  warmup_iter_number: NUMBER,
  bitwidth_per_scope: { type: 'array', items: BITWIDTH_SCOPE_PAIR_SCHEMA },
  traces_per_layer_path: STRING,
  dump_init_precision_data: BOOLEAN,
  bitwidth_assignment_mode: oneOfStrings(BITWIDTH_ASSIGNMENT_MODES),
  // NNCF's schema misplaces `"required": ["type"]` inside `properties`, so a key named
  // `required` is accepted (with any value) and `type` is not actually required.
  required: {},
});

/** Initializer of quantization / binarization: BN adaptation, range and precision. */
export const QUANTIZATION_INITIALIZER_SCHEMA = closed({
  batchnorm_adaptation: BATCHNORM_ADAPTATION_SCHEMA,
  range: RANGE_INIT_SCHEMA,
  precision: PRECISION_INIT_SCHEMA,
});

/** Initializer of pruning / magnitude sparsity: BN adaptation only. */
export const GENERIC_INITIALIZER_SCHEMA = closed({
  batchnorm_adaptation: BATCHNORM_ADAPTATION_SCHEMA,
});

/** Initializer inside `scope_overrides`: range only. */
export const RANGE_ONLY_INITIALIZER_SCHEMA = closed({ range: RANGE_INIT_SCHEMA });
