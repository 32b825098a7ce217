import {
  NUMBER,
  STRING,
  BOOLEAN,
  ARRAY_OF_NUMBERS,
  closed,
  oneOfStrings,
  objectOrListOf,
  type JsonSchema,
} from './primitives.js';
import {
  QUANTIZATION_SCHEMA,
  EXPERIMENTAL_QUANTIZATION_SCHEMA,
  BINARIZATION_SCHEMA,
} from './quantization.js';
import { FILTER_PRUNING_SCHEMA } from './pruning.js';
import {
  MAGNITUDE_SPARSITY_SCHEMA,
  RB_SPARSITY_SCHEMA,
  CONST_SPARSITY_SCHEMA,
  MOVEMENT_SPARSITY_SCHEMA,
} from './sparsity.js';
import { KNOWLEDGE_DISTILLATION_SCHEMA } from './distillation.js';
import { BOOTSTRAP_NAS_SCHEMA } from './nas.js';
import { ACCURACY_AWARE_TRAINING_SCHEMA } from './accuracy-aware.js';
import { ALGORITHM_NAMES, TARGET_DEVICES, type AlgorithmName } from '../names.js';

/** The sub-schema of every compression algorithm, by its `algorithm` value. */
export const ALGORITHM_SCHEMAS: Readonly<Record<AlgorithmName, JsonSchema>> = {
  quantization: QUANTIZATION_SCHEMA,
  experimental_quantization: EXPERIMENTAL_QUANTIZATION_SCHEMA,
  binarization: BINARIZATION_SCHEMA,
  filter_pruning: FILTER_PRUNING_SCHEMA,
  magnitude_sparsity: MAGNITUDE_SPARSITY_SCHEMA,
  rb_sparsity: RB_SPARSITY_SCHEMA,
  const_sparsity: CONST_SPARSITY_SCHEMA,
  movement_sparsity: MOVEMENT_SPARSITY_SCHEMA,
  knowledge_distillation: KNOWLEDGE_DISTILLATION_SCHEMA,
};

export const INPUT_INFO_SCHEMA = closed({
  sample_size: ARRAY_OF_NUMBERS,
  type: STRING,
  filler: STRING,
  keyword: STRING,
});

/**
 * One compression entry. NNCF writes `oneOf` over all algorithm schemas and, when that fails,
 * re-validates the entry against the schema its `algorithm` names. We express that second step
 * directly: `algorithm` must be a known name, and the named sub-schema then applies.
 */
const COMPRESSION_ENTRY_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['algorithm'],
  properties: { algorithm: { type: 'string', enum: [...ALGORITHM_NAMES] } },
  allOf: ALGORITHM_NAMES.map((name) => ({
    if: { properties: { algorithm: { const: name } }, required: ['algorithm'] },
    then: { $ref: `#/definitions/${name}` },
  })),
};

/** The whole NNCF config (draft-07). The top level is open: training-script keys are allowed. */
export const NNCF_CONFIG_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://nncf-ts/config.schema.json',
  type: 'object',
  properties: {
    input_info: objectOrListOf(INPUT_INFO_SCHEMA),
    target_device: oneOfStrings(TARGET_DEVICES),
    compression: objectOrListOf({ $ref: '#/definitions/compression_entry' }),
    accuracy_aware_training: ACCURACY_AWARE_TRAINING_SCHEMA,
    compression_lr_multiplier: NUMBER,
    disable_shape_matching: BOOLEAN,
    log_dir: STRING,
    bootstrapNAS: BOOTSTRAP_NAS_SCHEMA,
  },
  definitions: { compression_entry: COMPRESSION_ENTRY_SCHEMA, ...ALGORITHM_SCHEMAS },
};
