import { NUMBER, closed, type JsonSchema } from './primitives.js';
import { DEGRADATION_KEYS } from '../names.js';

const DEGRADATION_PROPERTIES: Record<string, JsonSchema> = {
  maximal_relative_accuracy_degradation: NUMBER,
  maximal_absolute_accuracy_degradation: NUMBER,
};

/** Exactly one of the two degradation keys (NNCF's `oneOf` of two `required`s). */
const EXACTLY_ONE_DEGRADATION: JsonSchema = {
  oneOf: DEGRADATION_KEYS.map((key) => ({ required: [key] })),
};

const EARLY_EXIT_PARAMS = closed(
  { ...DEGRADATION_PROPERTIES, maximal_total_epochs: NUMBER },
  { required: ['maximal_total_epochs'], ...EXACTLY_ONE_DEGRADATION },
);

const ADAPTIVE_PARAMS = closed(
  {
    ...DEGRADATION_PROPERTIES,
    initial_training_phase_epochs: NUMBER,
    patience_epochs: NUMBER,
    initial_compression_rate_step: NUMBER,
    compression_rate_step_reduction_factor: NUMBER,
    lr_reduction_factor: NUMBER,
    minimal_compression_rate_step: NUMBER,
    maximal_total_epochs: NUMBER,
  },
  { required: ['initial_training_phase_epochs', 'patience_epochs'], ...EXACTLY_ONE_DEGRADATION },
);

function modeSchema(mode: string, params: JsonSchema): JsonSchema {
  return closed({ mode: { const: mode }, params }, { required: ['mode', 'params'] });
}

/** Dispatch on `mode` so that errors come from the selected mode only. */
export const ACCURACY_AWARE_TRAINING_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['mode'],
  properties: { mode: { type: 'string', enum: ['early_exit', 'adaptive_compression_level'] } },
  allOf: [
    {
      if: { properties: { mode: { const: 'early_exit' } }, required: ['mode'] },
      then: modeSchema('early_exit', EARLY_EXIT_PARAMS),
    },
    {
      if: { properties: { mode: { const: 'adaptive_compression_level' } }, required: ['mode'] },
      then: modeSchema('adaptive_compression_level', ADAPTIVE_PARAMS),
    },
  ],
};
