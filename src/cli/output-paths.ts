/**
 * Output paths are checked before any work starts: a missing or read-only folder, a folder that is a
 * file, or an output file that is a directory fails in the first second rather than after an epoch.
 * An output directory (checkpoints, --output-dir) may be missing — it is created — but its parent must
 * exist, so a typo in a folder name is caught instead of silently creating a tree. Errors name the path
 * the user gave, never a temp file; they are usage errors (exit 2).
 */
import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { describeFsError } from '../data/index.js';
import { UsageError } from './usage-error.js';

export interface OutputPath {
  /** The option as the user wrote it, e.g. `--out`. */
  flag: string;
  path: string;
  /** A file written whole, or a directory files are written into (e.g. checkpoints). */
  kind: 'file' | 'directory';
}

/** Throws a UsageError naming the first output that cannot be written, or two outputs that are one file. */
export function checkOutputPaths(outputs: readonly OutputPath[]): void {
  const seen = new Map<string, string>();
  for (const o of outputs) {
    const abs = resolve(o.path);
    const other = seen.get(abs);
    if (other) throw new UsageError(`${other} and ${o.flag} are the same path (${o.path}); give each output its own`);
    seen.set(abs, o.flag);
    checkOne(o);
  }
}

function checkOne(o: OutputPath): void {
  const fail = (why: string) => new UsageError(`cannot write ${o.flag} ${o.path}: ${why}`);
  const info = statOrUndefined(o.path);
  if (info && o.kind === 'file' && info.isDirectory()) throw fail('it is a directory');
  if (info && o.kind === 'directory' && !info.isDirectory()) throw fail('it is a file, not a directory');
  // the folder the files will be written into: the directory itself once it exists, else its parent
  const folder = info && o.kind === 'directory' ? o.path : dirname(o.path);
  const folderInfo = statOrUndefined(folder);
  if (!folderInfo) throw fail(`no such folder ${folder} (create it first)`);
  if (!folderInfo.isDirectory()) throw fail(`${folder} is a file, not a folder`);
  const why = probeWrite(folder);
  if (why) throw fail(folder === o.path ? why : `${why} (folder ${folder})`);
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Creates and removes an empty file in `folder`; returns why that failed, or undefined. */
function probeWrite(folder: string): string | undefined {
  const probe = join(folder, `.nncf-ts-write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
    return undefined;
  } catch (err) {
    return describeFsError(err);
  }
}

/**
 * Runs a final write; a file-system failure (e.g. the disk filled up meanwhile) names the user's path,
 * not the temp file. Other errors (an export that cannot be built) pass through unchanged.
 */
export async function writeOutput<T>(flag: string, path: string, write: () => T | Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).code !== 'string' || !(err as NodeJS.ErrnoException).syscall) throw err;
    throw new UsageError(`cannot write ${flag} ${path}: ${describeFsError(err)}`);
  }
}
