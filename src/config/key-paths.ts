/**
 * Every key path the schema accepts, derived from the schema itself (so a key added to the schema
 * shows up here without anyone remembering to list it). Used by the "no silent keys" check.
 *
 * Path form: `compression[quantization].initializer.range.type` — a compression entry is named by its
 * algorithm; `[]` is an item of a list (`initializer.range[].target_scopes`, the per-layer form);
 * `*` is any key of a map (`scope_overrides.weights.*.bits`, keyed by scope). An "object or list of
 * objects" (`input_info`) is one path: both forms hold the same keys.
 */
import { ALGORITHM_SCHEMAS, NNCF_CONFIG_SCHEMA } from './schema/root.js';
import type { JsonSchema } from './schema/primitives.js';

export function schemaKeyPaths(): string[] {
  const paths: string[] = [];
  const root = NNCF_CONFIG_SCHEMA.properties as Record<string, JsonSchema>;
  for (const [key, schema] of Object.entries(root)) {
    paths.push(key);
    if (key === 'compression') {
      for (const [name, entry] of Object.entries(ALGORITHM_SCHEMAS))
        walk(entry, `compression[${name}]`, paths);
    } else walk(schema, key, paths);
  }
  return [...new Set(paths)];
}

function walk(schema: JsonSchema, at: string, out: string[]): void {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [key, child] of Object.entries(properties ?? {})) {
    // NNCF's precision schema has `required` misplaced among its properties: a quirk, not a key.
    if (key === 'required' && Object.keys(child).length === 0) continue;
    out.push(`${at}.${key}`);
    walk(child, `${at}.${key}`, out);
  }
  const items = schema.items;
  if (items && typeof items === 'object' && !Array.isArray(items)) walk(items as JsonSchema, `${at}[]`, out);
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') walk(extra as JsonSchema, `${at}.*`, out);
  // `if: {type: array}` dispatch: one path when both forms hold the same object.
  const then = schema.then as JsonSchema | undefined;
  const otherwise = schema.else as JsonSchema | undefined;
  if (then && otherwise && then.items === otherwise) walk(otherwise, at, out);
  else {
    if (then) walk(then, at, out);
    if (otherwise) walk(otherwise, at, out);
  }
  for (const sub of (schema.allOf as JsonSchema[] | undefined) ?? []) walk(sub, at, out);
}
