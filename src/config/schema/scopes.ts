import { BOOLEAN, STRING_OR_STRINGS, type JsonSchema } from './primitives.js';

/** `SCOPING_PROPERTIES`: which graph nodes an algorithm (or a quantizer group) applies to. */
export const SCOPING_PROPERTIES: Record<string, JsonSchema> = {
  ignored_scopes: STRING_OR_STRINGS,
  target_scopes: STRING_OR_STRINGS,
  validate_scopes: BOOLEAN,
};
