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

let cachedPaths: readonly string[] | undefined;
let cachedOpen: ReadonlySet<string> | undefined;

export function schemaKeyPaths(): readonly string[] {
  cachedPaths ??= collectKeyPaths();
  return cachedPaths;
}

function collectKeyPaths(): string[] {
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

/** Object forms whose schema lists keys but does not close them (NNCF accepts and ignores any other key). */
export function openObjectForms(): ReadonlySet<string> {
  cachedOpen ??= collectOpenForms();
  return cachedOpen;
}

function collectOpenForms(): Set<string> {
  const listed = new Set<string>();
  const closedForms = new Set<string>();
  const root = NNCF_CONFIG_SCHEMA.properties as Record<string, JsonSchema>;
  const note = (schema: JsonSchema, at: string) => {
    if (schema.properties) listed.add(at);
    if (schema.additionalProperties !== undefined) closedForms.add(at);
  };
  for (const [key, schema] of Object.entries(root)) {
    if (key === 'compression') {
      for (const [name, entry] of Object.entries(ALGORITHM_SCHEMAS))
        walk(entry, `compression[${name}]`, [], note);
    } else walk(schema, key, [], note);
  }
  return new Set([...listed].filter((form) => !closedForms.has(form)));
}

/** The keys the schema lists directly under an object form. */
export function childKeys(form: string): string[] {
  const prefix = `${form}.`;
  return schemaKeyPaths()
    .filter((path) => path.startsWith(prefix) && !/[.[]/.test(path.slice(prefix.length)))
    .map((path) => path.slice(prefix.length));
}

function walk(
  schema: JsonSchema,
  at: string,
  out: string[],
  note?: (schema: JsonSchema, at: string) => void,
): void {
  note?.(schema, at);
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [key, child] of Object.entries(properties ?? {})) {
    // NNCF's precision schema has `required` misplaced among its properties: a quirk, not a key.
    if (key === 'required' && Object.keys(child).length === 0) continue;
    out.push(`${at}.${key}`);
    walk(child, `${at}.${key}`, out, note);
  }
  const items = schema.items;
  if (items && typeof items === 'object' && !Array.isArray(items))
    walk(items as JsonSchema, `${at}[]`, out, note);
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') walk(extra as JsonSchema, `${at}.*`, out, note);
  // `if: {type: array}` dispatch: one path when both forms hold the same object.
  const then = schema.then as JsonSchema | undefined;
  const otherwise = schema.else as JsonSchema | undefined;
  if (then && otherwise && then.items === otherwise) walk(otherwise, at, out, note);
  else {
    if (then) walk(then, at, out, note);
    if (otherwise) walk(otherwise, at, out, note);
  }
  for (const sub of (schema.allOf as JsonSchema[] | undefined) ?? []) walk(sub, at, out, note);
}

/** One key of a document, with its path in the schema form above and where it is in the document. */
export interface DocumentKey {
  /** Schema form: `compression[quantization].initializer.range[].validate_scopes`. */
  readonly form: string;
  /** Where it is, in NNCF's dotted form: `compression[0].initializer.range[2].validate_scopes`. */
  readonly at: string;
  readonly value: unknown;
}

let prefixes: Set<string> | undefined;

/** Every schema path and container, so a document path can be matched to its schema form. */
function schemaPrefixes(): Set<string> {
  if (prefixes) return prefixes;
  prefixes = new Set();
  for (const path of schemaKeyPaths()) {
    for (let i = 1; i <= path.length; i++) {
      if (i === path.length || path[i] === '.' || path[i] === '[') prefixes.add(path.slice(0, i));
    }
  }
  return prefixes;
}

/** Every key of `document` (including unknown ones, in the form they would have), in document order. */
export function documentKeys(document: Record<string, unknown>): DocumentKey[] {
  const out: DocumentKey[] = [];
  for (const [key, value] of Object.entries(document)) {
    out.push({ form: key, at: key, value });
    if (key !== 'compression') visit(value, key, key, out);
    else if (Array.isArray(value)) value.forEach((entry, i) => visitEntry(entry, `compression[${i}]`, out));
    else visitEntry(value, 'compression', out);
  }
  return out;
}

function visitEntry(entry: unknown, at: string, out: DocumentKey[]): void {
  const algorithm = (entry as { algorithm?: unknown } | null)?.algorithm;
  visit(entry, `compression[${String(algorithm)}]`, at, out);
}

function visit(value: unknown, form: string, at: string, out: DocumentKey[]): void {
  if (Array.isArray(value)) {
    const itemForm = schemaPrefixes().has(`${form}[]`) ? `${form}[]` : form;
    value.forEach((item, i) => visit(item, itemForm, `${at}[${i}]`, out));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const named = `${form}.${key}`;
    const childForm = !schemaPrefixes().has(named) && schemaPrefixes().has(`${form}.*`) ? `${form}.*` : named;
    const childAt = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
    out.push({ form: childForm, at: childAt, value: child });
    visit(child, childForm, childAt, out);
  }
}
