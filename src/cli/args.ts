import { UsageError } from './usage-error.js';

/** Parses a CLI integer option; anything but an integer ≥ 1 (≥ 0 with `allowZero`) is a usage error. */
export function positiveInt(v: string, flag: string, allowZero = false): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    throw new UsageError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${v}'`);
  return n;
}
