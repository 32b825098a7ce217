/** Validation of a parsed config document: schema (ajv), then NNCF's code-level rules. */
import { Ajv, type ValidateFunction } from 'ajv';
import { NNCF_CONFIG_SCHEMA } from './schema/root.js';
import { translateSchemaErrors } from './schema-errors.js';
import { checkRules } from './rules.js';
import { ALGORITHM_KEYS_MISTAKEN_FOR_TOP_LEVEL, misplacedKeyHint } from './misplaced-keys.js';
import { describeValue, type ConfigIssue } from './errors.js';
import { topLevelTypoWarnings } from './top-level-keys.js';
import { ignoredKeyWarnings } from './ignored-keys.js';
import { fakeQuantizeExportWarnings } from './export-format-warning.js';
import type { NNCFConfigDocument } from './types-root.js';

let compiled: ValidateFunction | undefined;

/** Compiled once per process: compiling costs ~100 ms, validating a document well under 1 ms. */
function schemaValidator(): ValidateFunction {
  // No `verbose` and no code optimisation: both multiply the one-off compile time of this
  // large schema, which dominates a `nncf-ts validate` run, and gain nothing at this size.
  compiled ??= new Ajv({ allErrors: true, strict: false, code: { optimize: false } }).compile(
    NNCF_CONFIG_SCHEMA,
  );
  return compiled;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The issue of a document that is not a JSON object. */
export function notObjectIssue(document: unknown): ConfigIssue {
  const found = describeValue(document);
  return {
    kind: 'not-object',
    severity: 'error',
    path: '',
    message: `the config must be a JSON object, found ${found}`,
    expected: 'object',
    found,
  };
}

/** All issues of a document, errors first; an empty list (or warnings only) means valid. */
export function validateDocument(document: unknown): ConfigIssue[] {
  if (!isPlainObject(document)) return [notObjectIssue(document)];
  const validate = schemaValidator();
  const schemaIssues = validate(document) ? [] : translateSchemaErrors(validate.errors ?? [], document);
  const errors = errorsOf(schemaIssues);
  const ruleErrors = errors.length === 0 ? checkRules(document as NNCFConfigDocument) : [];
  const warnings = schemaIssues.filter((issue) => issue.severity === 'warning');
  return [
    ...errors,
    ...ruleErrors,
    ...warnings,
    ...topLevelWarnings(document),
    ...typoWarnings(document),
    ...ignoredKeyWarnings(document),
    ...(errors.length === 0 ? fakeQuantizeExportWarnings(document) : []),
  ];
}

export function errorsOf(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.filter((issue) => issue.severity === 'error');
}

/** Near misses of read top-level keys; keys answered by topLevelWarnings are not repeated. */
function typoWarnings(document: Record<string, unknown>): ConfigIssue[] {
  const answered = new Set<string>(ALGORITHM_KEYS_MISTAKEN_FOR_TOP_LEVEL);
  return topLevelTypoWarnings(document).filter((issue) => !answered.has(issue.path));
}

/** The top level is open, so NNCF silently ignores algorithm keys written there: say so. */
function topLevelWarnings(document: Record<string, unknown>): ConfigIssue[] {
  return ALGORITHM_KEYS_MISTAKEN_FOR_TOP_LEVEL.filter((key) =>
    Object.prototype.hasOwnProperty.call(document, key),
  ).map((key) => ({
    kind: 'schema',
    severity: 'warning',
    path: key,
    message: `"${key}" at the top level is ignored by NNCF`,
    hint:
      key === 'algorithm' ? 'algorithm sections go under "compression"' : misplacedKeyHint(document, [], key),
  }));
}
