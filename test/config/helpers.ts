import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateConfigObject, type ConfigIssue } from '../../src/config/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'configs');

export function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

export const validFixtures = () => jsonFiles(FIXTURES).filter((file) => !file.includes('/invalid/'));
export const invalidFixtures = () => jsonFiles(join(FIXTURES, 'invalid'));

/** Error-severity issues of a document. */
export function errorsOf(document: unknown): ConfigIssue[] {
  return validateConfigObject(document).issues.filter((issue) => issue.severity === 'error');
}

export function errorPaths(document: unknown): string[] {
  return errorsOf(document).map((issue) => issue.path);
}

/** `{ compression: section }` with a plausible input_info. */
export function withAlgorithm(section: object, extra: object = {}): Record<string, unknown> {
  return { input_info: { sample_size: [1, 3, 224, 224] }, compression: section, ...extra };
}
