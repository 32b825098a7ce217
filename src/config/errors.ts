/**
 * Errors about configuration files. Every problem is a `ConfigIssue` naming the JSON path
 * (`compression[1].initializer.range.type`), what was expected and what was found; a
 * `ConfigError` carries the first issue in its own fields and all of them in `issues`.
 */

export type ConfigErrorKind = 'file-not-found' | 'syntax' | 'not-object' | 'schema' | 'rule';

export interface ConfigIssue {
  readonly kind: ConfigErrorKind;
  /** `error` makes the config invalid; `warning` is advice NNCF would silently ignore. */
  readonly severity: 'error' | 'warning';
  /** JSON path in NNCF's dotted form; '' is the top level. */
  readonly path: string;
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
  /** Closest valid name for a misspelt key or value. */
  readonly suggestion?: string;
  /** Where a misplaced key belongs, or another way out. */
  readonly hint?: string;
  readonly line?: number;
  readonly column?: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly kind: ConfigErrorKind;
  readonly path: string;
  readonly expected?: string;
  readonly found?: string;
  readonly suggestion?: string;
  readonly hint?: string;
  readonly line?: number;
  readonly column?: number;
  readonly file?: string;
  /** Every error-severity issue, the first of which this error describes. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const first = issues[0] ?? { kind: 'schema', severity: 'error', path: '', message: 'invalid config' };
    super(issues.map((issue) => formatIssue(issue, file)).join('\n'));
    this.kind = first.kind;
    this.path = first.path;
    this.expected = first.expected;
    this.found = first.found;
    this.suggestion = first.suggestion;
    this.hint = first.hint;
    this.line = first.line;
    this.column = first.column;
    this.file = file;
    this.issues = issues.length > 0 ? issues : [first];
  }
}

/** The config file does not exist or cannot be read. */
export class ConfigFileNotFoundError extends ConfigError {
  override name = 'ConfigFileNotFoundError';
}
/** The file is not JSON (comments and trailing commas are fine; anything else is not). */
export class ConfigSyntaxError extends ConfigError {
  override name = 'ConfigSyntaxError';
}
/** The file is JSON, but its top level is not an object. */
export class ConfigNotObjectError extends ConfigError {
  override name = 'ConfigNotObjectError';
}
/** The document violates the schema or a cross-field rule NNCF enforces in code. */
export class ConfigValidationError extends ConfigError {
  override name = 'ConfigValidationError';
}

export function displayPath(path: string): string {
  return path === '' ? '(top level)' : path;
}

/** One line per issue: `file:line:col: path: message (expected ..., found ...) did you mean ...? hint` */
export function formatIssue(issue: ConfigIssue, file?: string): string {
  const where = [file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  const parts = [where ? `${where}:` : '', issue.severity === 'warning' ? 'warning:' : ''];
  // File-level problems (missing file, bad syntax) have no JSON path worth printing.
  const fileLevel = issue.path === '' && (issue.kind === 'file-not-found' || issue.kind === 'syntax');
  parts.push(fileLevel ? issue.message : `${displayPath(issue.path)}: ${issue.message}`);
  if (issue.suggestion !== undefined) parts.push(`- did you mean "${issue.suggestion}"?`);
  if (issue.hint !== undefined) parts.push(`- ${issue.hint}`);
  return parts.filter((part) => part !== '').join(' ');
}

/** Short, single-line rendering of a found value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array ${truncate(safeJson(value))}`;
  if (typeof value === 'object') return `object ${truncate(safeJson(value))}`;
  if (typeof value === 'string') return `string ${truncate(JSON.stringify(value))}`;
  return `${typeof value} ${String(value)}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
