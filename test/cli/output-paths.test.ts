/**
 * Output and input paths are checked before any work (issue 10, item 7): a missing or read-only folder
 * fails in the first second naming the path the user gave (never a temp file), exit 2; a missing
 * --data/--train/--val is exit 2 like a missing model.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInputPaths } from '../../src/cli/input-paths.js';
import { checkOutputPaths, writeOutput } from '../../src/cli/output-paths.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { encodeNpy, ndarray, writeNpy } from '../../src/data/index.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-output-paths-'));
const p = (n: string) => join(dir, n);
/**
 * A folder this process cannot write: chmod 555 for a normal user; root writes through permissions, so
 * there sysfs (mounted read-only for files) stands in. Both are real file-system refusals.
 */
const readOnly = process.getuid?.() === 0 ? '/sys' : p('ro');
beforeAll(() => {
  if (readOnly !== '/sys') {
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
  }
  mkdirSync(p('folder'));
  writeFileSync(p('a-file'), 'x');
  writeFileSync(p('m.onnx'), 'not read: the paths are checked first');
  writeFileSync(p('c.json'), '{"compression": {"algorithm": "quantization"}}');
  writeFileSync(p('d.npy'), encodeNpy(ndarray('float32', [2, 3], new Float32Array(6))));
});
afterAll(() => {
  if (readOnly !== '/sys') chmodSync(readOnly, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

const usage = (message: string) => new UsageError(message);

describe('checkOutputPaths', () => {
  it('accepts a new file in an existing folder, an existing directory, and a new directory in an existing folder', () => {
    expect(() => checkOutputPaths([
      { flag: '--out', path: p('new.onnx'), kind: 'file' },
      { flag: '--report', path: p('m.onnx'), kind: 'file' },
      { flag: '--checkpoint-dir', path: p('folder'), kind: 'directory' },
      { flag: '--output-dir', path: p('folder/new'), kind: 'directory' },
    ])).not.toThrow();
    expect(readdirSync(p('folder'))).toEqual([]); // the probe leaves nothing behind, creates nothing
  });

  it('refuses, naming the flag and the path as given', () => {
    const out = (path: string, kind: 'file' | 'directory' = 'file') => () => checkOutputPaths([{ flag: kind === 'file' ? '--out' : '--checkpoint-dir', path, kind }]);
    expect(out(p('missing/m.onnx'))).toThrow(usage(`cannot write --out ${p('missing/m.onnx')}: no such folder ${p('missing')} (create it first)`));
    expect(out(p('a-file/m.onnx'))).toThrow(usage(`cannot write --out ${p('a-file/m.onnx')}: ${p('a-file')} is a file, not a folder`));
    expect(out(p('folder'))).toThrow(usage(`cannot write --out ${p('folder')}: it is a directory`));
    expect(out(p('a-file'), 'directory')).toThrow(usage(`cannot write --checkpoint-dir ${p('a-file')}: it is a file, not a directory`));
    expect(out(p('missing/ckpt'), 'directory')).toThrow(/no such folder .*missing \(create it first\)/);
    expect(out(join(readOnly, 'm.onnx'))).toThrow(usage(`cannot write --out ${join(readOnly, 'm.onnx')}: permission denied (folder ${readOnly})`));
    expect(out(join(readOnly, 'ckpt'), 'directory')).toThrow(/^cannot write --checkpoint-dir .*ckpt: permission denied/);
    expect(() => checkOutputPaths([{ flag: '--out', path: p('x.onnx'), kind: 'file' }, { flag: '--report', path: `${dir}/./x.onnx`, kind: 'file' }]))
      .toThrow(usage(`--out and --report are the same path (${dir}/./x.onnx); give each output its own`));
  });
});

describe('writeOutput', () => {
  it('a file-system failure names the user path, not the temp file; other errors pass through', async () => {
    const target = join(readOnly, 'y.npy');
    const err = await writeOutput('--output', target, () => writeNpy(target, ndarray('float32', [1]))).catch((e: Error) => e);
    expect(err).toEqual(usage(`cannot write --output ${target}: permission denied`));
    expect(String(err)).not.toMatch(/tmp/);
    await expect(writeOutput('--out', p('z'), () => { throw new Error('export failed'); })).rejects.toThrow(new Error('export failed'));
    expect(await writeOutput('--out', p('z'), () => 7)).toBe(7);
  });
});

describe('checkInputPaths', () => {
  it('a missing or unreadable input is a usage error naming the flag', () => {
    expect(() => checkInputPaths([{ flag: '--data', path: p('d.npy') }, { flag: '--val', path: dir }])).not.toThrow();
    expect(() => checkInputPaths([{ flag: '--train', path: p('none.npz') }])).toThrow(usage(`cannot read --train ${p('none.npz')}: no such file or directory`));
  });
});

describe('the commands check paths before any work', () => {
  const timed = async (command: string, ...args: string[]) => {
    const t0 = performance.now();
    const r = await runCli(command, ...args);
    return { ...r, ms: performance.now() - t0 };
  };
  // m.onnx is not an ONNX file: reaching the model load would fail differently (and later)
  const compress = (...over: string[]) => timed('compress', '--model', p('m.onnx'), '--config', p('c.json'), '--data', p('d.npy'), '--out', p('q.onnx'), ...over);
  const train = (...over: string[]) => timed('train', '--model', p('m.onnx'), '--config', p('c.json'), '--train', p('d.npy'), '--val', p('d.npy'), '--out', p('t.onnx'), ...over);

  it.each([
    ['compress --out in a read-only folder', () => compress('--out', join(readOnly, 'q.onnx')), `cannot write --out ${join(readOnly, 'q.onnx')}: permission denied`],
    ['compress --out in a missing folder', () => compress('--out', p('nope/q.onnx')), `cannot write --out ${p('nope/q.onnx')}: no such folder`],
    ['compress --report in a read-only folder', () => compress('--report', join(readOnly, 'r.json')), `cannot write --report ${join(readOnly, 'r.json')}: permission denied`],
    ['compress --report = --out', () => compress('--report', p('q.onnx')), '--out and --report are the same path'],
    ['compress with a missing --data', () => compress('--data', p('none.npy')), `cannot read --data ${p('none.npy')}: no such file or directory`],
    ['train --out in a read-only folder', () => train('--out', join(readOnly, 't.onnx')), `cannot write --out ${join(readOnly, 't.onnx')}: permission denied`],
    ['train --checkpoint-dir in a read-only folder', () => train('--checkpoint-dir', join(readOnly, 'ckpt')), `cannot write --checkpoint-dir ${join(readOnly, 'ckpt')}: permission denied`],
    ['train --checkpoint-dir that is a file', () => train('--checkpoint-dir', p('a-file')), 'it is a file, not a directory'],
    ['train with a missing --train', () => train('--train', p('none.npz')), `cannot read --train ${p('none.npz')}`],
    ['train with a missing --val', () => train('--val', p('none')), `cannot read --val ${p('none')}`],
    ['eval with a missing --data', () => timed('eval', '--model', p('m.onnx'), '--data', p('none')), `cannot read --data ${p('none')}`],
    ['run --output in a missing folder', () => timed('run', '--model', p('m.onnx'), '--input', p('d.npy'), '--output', p('nope/y.npy')), `cannot write --output ${p('nope/y.npy')}: no such folder`],
    ['run --output-dir that is a file', () => timed('run', '--model', p('m.onnx'), '--input', p('d.npy'), '--output-dir', p('a-file')), `cannot write --output-dir ${p('a-file')}: it is a file`],
  ])('%s: exit 2 in well under a second, one line naming the path', async (_case, run, message) => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.err).toBe(`nncf-ts: ${r.err.slice(9).trim()}\n`);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\.tmp|write-check/);
    expect(r.ms).toBeLessThan(1000);
    expect(existsSync(p('q.onnx')) || existsSync(p('t.onnx'))).toBe(false);
  });
});
