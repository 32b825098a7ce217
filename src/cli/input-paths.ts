/**
 * Input data paths are checked before any work: a missing or unreadable `--data`/`--train`/`--val` file
 * is a usage error (exit 2), like a missing model — not a failure after the model has loaded.
 * What the file holds is checked by its reader (data that does not fit the model: exit 1).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { describeFsError } from '../data/index.js';
import { UsageError } from './usage-error.js';

export function checkInputPaths(inputs: readonly { flag: string; path: string }[]): void {
  for (const { flag, path } of inputs) {
    try {
      statSync(path);
      accessSync(path, constants.R_OK);
    } catch (err) {
      throw new UsageError(`cannot read ${flag} ${path}: ${describeFsError(err)}`);
    }
  }
}
