import { NUMBER, BOOLEAN, ARRAY_OF_STRINGS, closed, oneOfStrings, type JsonSchema } from './primitives.js';
import { SCOPING_PROPERTIES } from './scopes.js';
import { QUANTIZATION_INITIALIZER_SCHEMA, RANGE_ONLY_INITIALIZER_SCHEMA } from './initializer.js';
import {
  QUANTIZATION_MODES,
  QUANTIZATION_PRESETS,
  OVERFLOW_FIX_MODES,
  BINARIZATION_MODES,
} from '../names.js';

const QUANTIZER_CONFIG_PROPERTIES: Record<string, JsonSchema> = {
  mode: oneOfStrings(QUANTIZATION_MODES),
  bits: NUMBER,
  signed: BOOLEAN,
  per_channel: BOOLEAN,
};

const QUANTIZER_GROUP_PROPERTIES: Record<string, JsonSchema> = {
  ...QUANTIZER_CONFIG_PROPERTIES,
  ...SCOPING_PROPERTIES,
  logarithm_scale: BOOLEAN,
};

export const WEIGHTS_GROUP_SCHEMA = closed(QUANTIZER_GROUP_PROPERTIES);

export const ACTIVATIONS_GROUP_SCHEMA = closed({
  ...QUANTIZER_GROUP_PROPERTIES,
  unified_scale_ops: { type: 'array', items: ARRAY_OF_STRINGS },
});

/** Per-scope overrides: keys are scope patterns, values closed quantizer configs. */
const SCOPE_OVERRIDE_GROUP_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: closed({
    ...QUANTIZER_CONFIG_PROPERTIES,
    initializer: RANGE_ONLY_INITIALIZER_SCHEMA,
  }),
};

export const SCOPE_OVERRIDES_SCHEMA = closed({
  weights: SCOPE_OVERRIDE_GROUP_SCHEMA,
  activations: SCOPE_OVERRIDE_GROUP_SCHEMA,
});

/** The staged quantization scheduler; also used by binarization. */
export const STAGED_QUANTIZATION_PARAMS_SCHEMA = closed({
  batch_multiplier: NUMBER,
  activations_quant_start_epoch: NUMBER,
  weights_quant_start_epoch: NUMBER,
  lr_poly_drop_start_epoch: NUMBER,
  lr_poly_drop_duration_epochs: NUMBER,
  disable_wd_start_epoch: NUMBER,
  base_lr: NUMBER,
  base_wd: NUMBER,
});

function quantizationSchema(algorithm: string): JsonSchema {
  return closed(
    {
      algorithm: { const: algorithm },
      initializer: QUANTIZATION_INITIALIZER_SCHEMA,
      preset: oneOfStrings(QUANTIZATION_PRESETS),
      quantize_inputs: BOOLEAN,
      quantize_outputs: BOOLEAN,
      weights: WEIGHTS_GROUP_SCHEMA,
      activations: ACTIVATIONS_GROUP_SCHEMA,
      scope_overrides: SCOPE_OVERRIDES_SCHEMA,
      export_to_onnx_standard_ops: BOOLEAN,
      overflow_fix: oneOfStrings(OVERFLOW_FIX_MODES),
      params: STAGED_QUANTIZATION_PARAMS_SCHEMA,
      ...SCOPING_PROPERTIES,
      compression_lr_multiplier: NUMBER,
    },
    { required: ['algorithm'] },
  );
}

export const QUANTIZATION_SCHEMA = quantizationSchema('quantization');
/** NNCF's experimental_quantization is a deep copy of quantization with another name. */
export const EXPERIMENTAL_QUANTIZATION_SCHEMA = quantizationSchema('experimental_quantization');

/** Binarization was removed from NNCF in v2.10.0; real configs still use it, so we keep it. */
export const BINARIZATION_SCHEMA = closed(
  {
    algorithm: { const: 'binarization' },
    mode: oneOfStrings(BINARIZATION_MODES),
    initializer: QUANTIZATION_INITIALIZER_SCHEMA,
    params: STAGED_QUANTIZATION_PARAMS_SCHEMA,
    ...SCOPING_PROPERTIES,
    compression_lr_multiplier: NUMBER,
  },
  { required: ['algorithm'] },
);
