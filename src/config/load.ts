/**
 * Reading config text. NNCF (up to v2.9) parsed configs with a JSON-with-comments parser, and real
 * configs rely on it: `//` and `/* *\/` comments and trailing commas are accepted here too.
 */
import { readFileSync } from 'node:fs';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import {
  ConfigFileNotFoundError,
  ConfigNotObjectError,
  ConfigSyntaxError,
  type ConfigIssue,
} from './errors.js';
import { type PathSegment } from './json-path.js';
import { isPlainObject, notObjectIssue } from './validate.js';

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false };

export interface LoadedText {
  readonly document: Record<string, unknown>;
  /** Finds the line and column of a JSON path, for error messages. */
  readonly locate: (segments: readonly PathSegment[]) => { line: number; column: number } | undefined;
}

export function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot read file (${code ?? (err as Error).message})`;
    throw new ConfigFileNotFoundError(
      [{ kind: 'file-not-found', severity: 'error', path: '', message: reason }],
      file,
    );
  }
}

/** Parses lenient JSON; syntax errors and a non-object top level are distinct errors with line/column. */
export function parseConfigText(rawText: string, file?: string): LoadedText {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText; // UTF-8 BOM
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, PARSE_OPTIONS);
  const document: unknown = tree ? nodeValue(tree) : undefined;
  const lines = lineStarts(text);
  const position = (offset: number) => toLineColumn(lines, offset);
  if (errors.length > 0) {
    const issues: ConfigIssue[] = errors.slice(0, 5).map((error) => ({
      kind: 'syntax',
      severity: 'error',
      path: '',
      message: `not valid JSON: ${describeParseError(error, text)}`,
      ...position(error.offset),
    }));
    throw new ConfigSyntaxError(issues, file);
  }
  if (!isPlainObject(document)) {
    const start = text.length - text.trimStart().length;
    throw new ConfigNotObjectError([{ ...notObjectIssue(document), ...position(start) }], file);
  }
  const locate = (segments: readonly PathSegment[]) => {
    if (!tree) return undefined;
    // Walk up until an existing node: a missing key is reported at its parent object.
    for (let n = segments.length; n >= 0; n--) {
      const node = findNodeAtLocation(tree, segments.slice(0, n) as PathSegment[]);
      if (node) {
        const keyNode = n > 0 && node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
        return position((keyNode ?? node).offset);
      }
    }
    return undefined;
  };
  return { document, locate };
}

/**
 * Builds the value with own properties only: plain assignment would turn a `"__proto__"` key
 * into the object's prototype, where JSON.parse keeps it as an ordinary key.
 */
function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const result: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key && value) {
          Object.defineProperty(result, String(key.value), {
            value: nodeValue(value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      }
      return result;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

function describeParseError(error: ParseError, text: string): string {
  const code = printParseErrorCode(error.error);
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const near = text.slice(error.offset, error.offset + Math.max(error.length, 1)).replace(/\s+/g, ' ');
  return near.trim() === '' ? words : `${words} near ${JSON.stringify(near.slice(0, 20))}`;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function toLineColumn(starts: number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - starts[low] + 1 };
}
