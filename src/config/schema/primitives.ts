/**
 * Building blocks for the NNCF JSON Schema. NNCF types every numeric key as JSON `number`
 * (never `integer`), so we do the same: `bits: 8.0` validates exactly as it does in NNCF.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export const NUMBER: JsonSchema = { type: 'number' };
export const STRING: JsonSchema = { type: 'string' };
export const BOOLEAN: JsonSchema = { type: 'boolean' };
export const ARRAY_OF_NUMBERS: JsonSchema = { type: 'array', items: NUMBER };
export const ARRAY_OF_STRINGS: JsonSchema = { type: 'array', items: STRING };
export const STRING_OR_STRINGS: JsonSchema = { type: ['string', 'array'], items: STRING };

/** A closed object: unknown keys are errors (NNCF's `additionalProperties: false`). */
export function closed(properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', properties, additionalProperties: false, ...extra };
}

/** An open object: unknown keys are allowed and ignored. */
export function open(properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', properties, ...extra };
}

export function oneOfStrings(values: readonly string[]): JsonSchema {
  return { type: 'string', enum: [...values] };
}

/**
 * NNCF's `oneOf: [array of X, X]`, written as if/then/else on the data type so that a wrong entry
 * yields one precise error instead of one error per `oneOf` branch. Accepts the same documents.
 */
export function objectOrListOf(single: JsonSchema): JsonSchema {
  return {
    type: ['object', 'array'],
    if: { type: 'array' },
    then: { items: single },
    else: single,
  };
}
