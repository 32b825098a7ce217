/** A checkpoint that cannot be written names the checkpoint path, not the temp file it goes through (issue 10, item 7). */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError, readCheckpointFile, writeCheckpointFile } from '../../src/training/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ckpt-write-'));
// root writes through chmod; sysfs refuses new files even to root
const readOnly = process.getuid?.() === 0 ? '/sys' : join(dir, 'ro');
afterAll(() => {
  if (readOnly !== '/sys') chmodSync(readOnly, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

describe('writeCheckpointFile errors', () => {
  it('a read-only folder: CheckpointError naming the checkpoint path and the reason', () => {
    if (readOnly !== '/sys') {
      mkdirSync(readOnly);
      chmodSync(readOnly, 0o555);
    }
    for (const path of [join(readOnly, 'last.ckpt'), join(readOnly, 'ckpts', 'last.ckpt')]) {
      const err = (() => {
        try {
          writeCheckpointFile(path, new Uint8Array(8));
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(CheckpointError);
      expect(err!.message).toBe(`cannot write checkpoint ${path}: permission denied`);
    }
  });

  it('a path under a file: CheckpointError naming the path', () => {
    const file = join(dir, 'a-file');
    writeCheckpointFile(file, new Uint8Array(4)); // a plain write still works (and is not a checkpoint)
    expect(() => writeCheckpointFile(join(file, 'last.ckpt'), new Uint8Array(8))).toThrow(new CheckpointError(`cannot write checkpoint ${join(file, 'last.ckpt')}: a folder on the path is a file`));
    expect(() => readCheckpointFile(file)).toThrow(CheckpointError);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
