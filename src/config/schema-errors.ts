/** Turns ajv's raw errors into `ConfigIssue`s a person can act on. */
import type { ErrorObject } from 'ajv';
import { describeValue, type ConfigIssue } from './errors.js';
import { pointerToSegments, segmentsToPath, valueAt, type PathSegment } from './json-path.js';
import { closestName } from './suggest.js';
import { misplacedKeyHint } from './misplaced-keys.js';
import { ALGORITHM_NAMES, DEGRADATION_KEYS, NAS_SECTION_NAME } from './names.js';
import { NNCF_CONFIG_SCHEMA } from './schema/root.js';

const TYPE_NAMES: Record<string, string> = {
  object: 'object',
  array: 'array',
  number: 'number',
  string: 'string',
  boolean: 'boolean',
};

export function translateSchemaErrors(errors: readonly ErrorObject[], root: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // `if` only reports that a `then`/`else` failed; branch errors inside a failed `oneOf` are
    // summarised by the `oneOf` error itself.
    if (error.keyword === 'if' || /\/oneOf\/\d+\//.test(error.schemaPath)) continue;
    const issue = translate(error, root);
    // A union type and its selected branch report the same mismatch; a value of the wrong type
    // need not also be told it is not in the enum.
    const typeKey = `${issue.path}\u0000type`;
    const key = error.keyword === 'type' ? typeKey : `${issue.path}\u0000${issue.message}`;
    if (seen.has(key) || (error.keyword === 'enum' && seen.has(typeKey))) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function translate(error: ErrorObject, root: unknown): ConfigIssue {
  const segments = pointerToSegments(error.instancePath);
  const path = segmentsToPath(segments);
  const found = valueAt(root, segments);
  const base = { kind: 'schema' as const, severity: 'error' as const };
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(root, segments, String(params.additionalProperty), schemaAt(error.schemaPath, 1));
    case 'required': {
      const missing = String(params.missingProperty);
      return {
        ...base,
        path: segmentsToPath([...segments, missing]),
        message: `missing required key "${missing}"`,
        expected: `key "${missing}"`,
        found: 'nothing',
      };
    }
    case 'type': {
      const expected = ([] as string[])
        .concat(params.type as string | string[])
        .map((t) => TYPE_NAMES[t] ?? t);
      const wanted = expected.join(' or ');
      return {
        ...base,
        path,
        message: `expected ${wanted}, found ${describeValue(found)}`,
        expected: wanted,
        found: describeValue(found),
        hint: pairOrderHint(segments, root),
      };
    }
    case 'enum':
    case 'const': {
      const allowed = (error.keyword === 'enum' ? params.allowedValues : [params.allowedValue]) as unknown[];
      return badValue(path, segments, found, allowed);
    }
    case 'oneOf':
      return degradationChoice(path, found);
    case 'minItems':
    case 'maxItems':
    case 'additionalItems':
      return {
        ...base,
        path,
        message: `expected a [bits, scope] pair, found ${describeValue(found)}`,
        expected: '[bits, scope]',
        found: describeValue(found),
      };
    default:
      return {
        ...base,
        path,
        message: error.message ?? `invalid (${error.keyword})`,
        found: describeValue(found),
      };
  }
}

function unknownKey(
  root: unknown,
  container: PathSegment[],
  key: string,
  parentSchema: unknown,
): ConfigIssue {
  const properties = Object.keys(((parentSchema as { properties?: object })?.properties ?? {}) as object);
  const known = properties.filter((name) => name !== 'required');
  const suggestion = closestName(key, known);
  const hint = misplacedKeyHint(root, container, key);
  // NNCF's root schema does not reference its bootstrapNAS schema: nothing inside is checked, and
  // an unknown key there is ignored (its own example has width.min_out_channels). Warn, not fail.
  const unchecked = container[0] === NAS_SECTION_NAME;
  return {
    kind: 'schema',
    severity: unchecked ? 'warning' : 'error',
    path: segmentsToPath([...container, key]),
    message: unchecked
      ? `unknown key "${key}" is ignored: NNCF does not check ${NAS_SECTION_NAME} (known here: ${known.join(', ')})`
      : `unknown key "${key}" (allowed here: ${known.join(', ')})`,
    expected: `one of the keys ${known.join(', ')}`,
    found: `key "${key}"`,
    // A key that is valid elsewhere is misplaced, not misspelt: the hint beats the suggestion.
    suggestion: hint === undefined ? suggestion : undefined,
    hint,
  };
}

function badValue(path: string, segments: PathSegment[], found: unknown, allowed: unknown[]): ConfigIssue {
  const names = allowed.map((value) => JSON.stringify(value));
  const suggestion =
    typeof found === 'string'
      ? closestName(
          found,
          allowed.filter((v): v is string => typeof v === 'string'),
        )
      : undefined;
  const isAlgorithm = segments[segments.length - 1] === 'algorithm' && segments[0] === 'compression';
  if (isAlgorithm) {
    return {
      kind: 'schema',
      severity: 'error',
      path,
      message: `Incorrect algorithm name - must be one of [${ALGORITHM_NAMES.join(', ')}], found ${describeValue(found)}`,
      expected: `one of ${ALGORITHM_NAMES.join(', ')}`,
      found: describeValue(found),
      suggestion,
      hint:
        found === NAS_SECTION_NAME
          ? 'NAS is configured with the top-level "bootstrapNAS" key ({"training": ..., "search": ...}), not as a compression entry'
          : undefined,
    };
  }
  return {
    kind: 'schema',
    severity: 'error',
    path,
    message: `expected one of ${names.join(', ')}, found ${describeValue(found)}`,
    expected: `one of ${names.join(', ')}`,
    found: describeValue(found),
    suggestion,
  };
}

function degradationChoice(path: string, found: unknown): ConfigIssue {
  const present = DEGRADATION_KEYS.filter(
    (key) => found !== null && typeof found === 'object' && Object.prototype.hasOwnProperty.call(found, key),
  );
  return {
    kind: 'schema',
    severity: 'error',
    path,
    message: `exactly one of ${DEGRADATION_KEYS.join(', ')} is required, found ${present.length === 0 ? 'neither' : 'both'}`,
    expected: `exactly one of ${DEGRADATION_KEYS.join(', ')}`,
    found: present.length === 0 ? 'neither' : 'both',
  };
}

/** `bitwidth_per_scope` wants `[bits, scope]`; flag the reversed `[scope, bits]` order. */
function pairOrderHint(segments: PathSegment[], root: unknown): string | undefined {
  const n = segments.length;
  if (n < 3 || segments[n - 3] !== 'bitwidth_per_scope' || segments[n - 1] !== 0) return undefined;
  const pair = valueAt(root, segments.slice(0, n - 1));
  if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'number') {
    return 'bitwidth_per_scope items are [bits, scope] pairs; this one is written [scope, bits]';
  }
  return undefined;
}

/**
 * The schema object at ajv's `schemaPath` minus its last `drop` segments. Looking it up here
 * instead of compiling with ajv's `verbose` option keeps the one-off compile several times faster.
 */
function schemaAt(schemaPath: string, drop: number): unknown {
  const segments = pointerToSegments(schemaPath.replace(/^#/, ''));
  let node: unknown = NNCF_CONFIG_SCHEMA;
  for (const segment of segments.slice(0, segments.length - drop)) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node;
}
