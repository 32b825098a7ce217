/**
 * Exit codes agree across commands (issue 10, item 7): a missing data file is 2 like a missing model
 * (test/cli/output-paths.test.ts); data that is there but does not fit the model, or is not a data file,
 * is 1 in compress, train and eval alike.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, ndarray } from '../../src/data/index.js';
import { runCli } from '../helpers/cli.js';

const EXAMPLE = 'examples/fashion-mnist';
const dir = mkdtempSync(join(tmpdir(), 'cli-exit-codes-'));
const p = (n: string) => join(dir, n);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  mkdirSync(p('wrong'));
  writeFileSync(p('wrong/x.npy'), encodeNpy(ndarray('float32', [4, 3, 5], new Float32Array(60))));
  writeFileSync(p('wrong/labels.npy'), encodeNpy(ndarray('int64', [4], new BigInt64Array(4))));
  mkdirSync(p('corrupt'));
  writeFileSync(p('corrupt/x.npy'), 'not a .npy file');
});

const model = join(EXAMPLE, 'model.onnx');
const config = join(EXAMPLE, 'int8.json');
const commands = {
  compress: (data: string) => runCli('compress', '--model', model, '--config', config, '--data', data, '--out', p('q.onnx')),
  train: (data: string) => runCli('train', '--model', model, '--config', config, '--train', data, '--val', data, '--out', p('t.onnx'), '--no-progress'),
  eval: (data: string) => runCli('eval', '--model', model, '--data', data),
};

describe('data that is there but wrong: exit 1 in every command', () => {
  it.each(Object.keys(commands) as (keyof typeof commands)[])('%s', async (name) => {
    const corrupt = await commands[name](p('corrupt'));
    expect(corrupt.code).toBe(1);
    expect(corrupt.err).toContain(`${join(p('corrupt'), 'x.npy')}: not a .npy file`);
    if (name === 'eval') return; // eval feeds the data as it is (no shape fitting)
    const wrong = await commands[name](p('wrong'));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/data of shape \[4, 3, 5\] does not fit the model input \[1, 28, 28\]/);
  });
});

describe('a missing --config file: exit 2 (like a missing model) in every command that reads one', () => {
  const missing = p('no-such-config.json');
  const withConfig = {
    compress: () => runCli('compress', '--model', model, '--config', missing, '--data', EXAMPLE, '--out', p('q.onnx')),
    train: () => runCli('train', '--model', model, '--config', missing, '--train', EXAMPLE, '--val', EXAMPLE, '--out', p('t.onnx'), '--no-progress'),
    plan: () => runCli('plan', '--model', model, '--config', missing),
  };
  it.each(Object.keys(withConfig) as (keyof typeof withConfig)[])('%s', async (name) => {
    const r = await withConfig[name]();
    expect(r.code).toBe(2);
    expect(r.err).toContain('no-such-config.json');
  });
});
