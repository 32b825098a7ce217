/**
 * Where each key may legally appear, derived from the schema itself, so that a key in the wrong
 * place ("sparsity_init inside params") can be answered with where it belongs.
 */
import { ALGORITHM_SCHEMAS, NNCF_CONFIG_SCHEMA } from './schema/root.js';
import type { JsonSchema } from './schema/primitives.js';
import type { AlgorithmName } from './names.js';

/** `container` segments: property names, `[]` for array items, `*` for pattern-keyed maps. */
export interface KeyLocation {
  readonly algorithm: AlgorithmName | null;
  readonly container: readonly string[];
}

let index: Map<string, KeyLocation[]> | undefined;

export function keyLocations(key: string): readonly KeyLocation[] {
  index ??= buildIndex();
  return index.get(key) ?? [];
}

function buildIndex(): Map<string, KeyLocation[]> {
  const result = new Map<string, KeyLocation[]>();
  const add = (key: string, location: KeyLocation) => {
    const list = result.get(key) ?? [];
    list.push(location);
    result.set(key, list);
  };
  const rootProperties = NNCF_CONFIG_SCHEMA.properties as Record<string, JsonSchema>;
  for (const [key, schema] of Object.entries(rootProperties)) {
    add(key, { algorithm: null, container: [] });
    if (key !== 'compression') walk(schema, [key], null, add);
  }
  for (const [name, schema] of Object.entries(ALGORITHM_SCHEMAS)) {
    walk(schema, [], name as AlgorithmName, add);
  }
  return result;
}

function walk(
  schema: JsonSchema,
  container: string[],
  algorithm: AlgorithmName | null,
  add: (key: string, location: KeyLocation) => void,
): void {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties) {
    for (const [key, child] of Object.entries(properties)) {
      add(key, { algorithm, container });
      walk(child, [...container, key], algorithm, add);
    }
  }
  const items = schema.items;
  if (items && typeof items === 'object' && !Array.isArray(items)) {
    walk(items as JsonSchema, [...container, '[]'], algorithm, add);
  }
  for (const branch of ['then', 'else'] as const) {
    const sub = schema[branch];
    if (sub && typeof sub === 'object') walk(sub as JsonSchema, container, algorithm, add);
  }
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') walk(extra as JsonSchema, [...container, '*'], algorithm, add);
  const allOf = schema.allOf as JsonSchema[] | undefined;
  for (const sub of allOf ?? []) walk(sub, container, algorithm, add);
}

export function renderContainer(prefix: string, container: readonly string[], key: string): string {
  let path = prefix;
  for (const segment of [...container, key]) {
    if (segment === '[]') path += '[]';
    else if (segment === '*') path += '["<scope>"]';
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}
