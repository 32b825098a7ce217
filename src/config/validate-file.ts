/** Non-throwing validation for tools (the CLI): every issue of a file, text or object. */
import { ConfigError, type ConfigIssue } from './errors.js';
import { readConfigFile, parseConfigText } from './load.js';
import { validateDocument, errorsOf } from './validate.js';
import { locateIssues } from './nncf-config.js';
import { fillDefaults } from './fill-defaults.js';
import type { NNCFConfigDocument } from './types-root.js';

export interface ValidationReport {
  readonly valid: boolean;
  /** Errors (and warnings), with line/column when validated from text. */
  readonly issues: readonly ConfigIssue[];
  /** The parsed document, when it could be parsed. */
  readonly document?: unknown;
  /** The document with every default filled in, when valid. */
  readonly withDefaults?: NNCFConfigDocument;
}

export function validateConfigObject(document: unknown): ValidationReport {
  return report(document, validateDocument(document));
}

export function validateConfigText(text: string, file?: string): ValidationReport {
  try {
    const { document, locate } = parseConfigText(text, file);
    return report(document, locateIssues(validateDocument(document), locate));
  } catch (err) {
    if (err instanceof ConfigError) return { valid: false, issues: err.issues };
    throw err;
  }
}

export function validateConfigFile(file: string): ValidationReport {
  try {
    return validateConfigText(readConfigFile(file), file);
  } catch (err) {
    if (err instanceof ConfigError) return { valid: false, issues: err.issues };
    throw err;
  }
}

function report(document: unknown, issues: ConfigIssue[]): ValidationReport {
  const valid = errorsOf(issues).length === 0;
  return {
    valid,
    issues,
    document,
    withDefaults: valid ? fillDefaults(document as NNCFConfigDocument) : undefined,
  };
}
