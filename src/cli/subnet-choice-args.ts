/**
 * `--index K | --max-macs N | --max-macs-ratio R`: which subnet of a BootstrapNAS front to take
 * (`nas` takes a budget, `nas-export` one of the three). Numbers are checked here so that a bad value
 * is a usage error naming its flag before any work.
 */
import type { SubnetChoice } from '../algorithms/nas/search/pick-subnet.js';
import { UsageError } from './usage-error.js';

export interface SubnetChoiceFlags {
  index?: string;
  maxMacs?: string;
  maxMacsRatio?: string;
}

/** The choice the flags give (undefined when none is given and `required` is false). */
export function subnetChoiceFromFlags(f: SubnetChoiceFlags, opts: { required: boolean; allowIndex: boolean }): SubnetChoice | undefined {
  const given = [
    ...(opts.allowIndex && f.index !== undefined ? ['--index'] : []),
    ...(f.maxMacs !== undefined ? ['--max-macs'] : []),
    ...(f.maxMacsRatio !== undefined ? ['--max-macs-ratio'] : []),
  ];
  const all = opts.allowIndex ? '--index, --max-macs or --max-macs-ratio' : '--max-macs or --max-macs-ratio';
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} cannot be combined: give one of ${all}`);
  if (given.length === 0) {
    if (opts.required) throw new UsageError(`which subnet: give one of ${all}`);
    return undefined;
  }
  if (opts.allowIndex && f.index !== undefined) {
    const n = Number(f.index);
    if (f.index.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--index must be an integer ≥ 0 (a position on the front), got '${f.index}'`);
    return { index: n };
  }
  if (f.maxMacs !== undefined) {
    const n = Number(f.maxMacs);
    if (f.maxMacs.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--max-macs must be a positive number of multiply-accumulates (e.g. 8e6), got '${f.maxMacs}'`);
    return { maxMacs: n };
  }
  const r = Number(f.maxMacsRatio);
  if (f.maxMacsRatio!.trim() === '' || !(r > 0 && r <= 1)) throw new UsageError(`--max-macs-ratio must be a fraction of the supernet's MACs in (0, 1], got '${f.maxMacsRatio}'`);
  return { maxMacsRatio: r };
}
