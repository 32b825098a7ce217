/**
 * `nncf-ts train` with binarization on the digits CNN: one staged epoch (binarizers on from epoch 0),
 * the export as standard ops (runs on ORT, same accuracy as the last validation) or FakeQuantize levels 2
 * with --format fq; --format fq without binarization and a bad --format are usage errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainCommand, type TrainCommandOptions } from '../../src/cli/commands/train.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { runCli } from '../helpers/cli.js';
import { OrtSession } from '../../src/runtime/index.js';
import { DIGITS, digits, digitsCnn } from '../training/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-cli-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'm.onnx');
const cfg = (name: string, doc: object) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ input_info: { sample_size: [1, 1, 8, 8] }, batch_size: 64, epochs: 1, seed: 1, ...doc }));
  return path;
};
const BIN = { algorithm: 'binarization', mode: 'xnor', params: { activations_quant_start_epoch: 0, weights_quant_start_epoch: 0, base_lr: 0.01 } };
const base = (o: Partial<TrainCommandOptions>): TrainCommandOptions => ({ model, config: cfg('b.json', { compression: BIN }), train: DIGITS, val: DIGITS, out: join(dir, 'out.onnx'), preprocess: 'scale=0.0625', progress: false, ...o });
beforeAll(() => writeFileSync(model, digitsCnn().bytes));

describe('nncf-ts train with binarization', () => {
  it('standard-ops export runs on ORT with the validated accuracy; --format fq writes FakeQuantize levels 2', async () => {
    const lines: string[] = [];
    await trainCommand(base({}), (l) => lines.push(l));
    expect(lines.join('\n')).toContain('Statistics of binarization');
    const valAcc = Number(/val acc ([\d.]+)/.exec(lines.find((l) => l.startsWith('epoch 0'))!)![1]);
    const ops = parseOnnx(readFileSync(join(dir, 'out.onnx'))).nodes.map((n) => n.opType);
    expect(ops).toEqual(expect.arrayContaining(['Greater', 'Where', 'Conv']));
    const ds = await digits();
    const session = await OrtSession.create(join(dir, 'out.onnx'));
    const logits = (await session.run({ input: { dtype: 'float32', shape: ds.x.shape, data: ds.x.data } })).logits.data as Float32Array;
    await session.release();
    let correct = 0;
    for (let r = 0; r < ds.length; r++) {
      const row = Array.from(logits.subarray(r * 10, r * 10 + 10));
      if (row.indexOf(Math.max(...row)) === (ds.y!.data as Int32Array)[r]) correct++;
    }
    const ortAcc = correct / ds.length;
    expect(Math.abs(ortAcc - valAcc)).toBeLessThan(2e-3);
    await trainCommand(base({ out: join(dir, 'fq.onnx'), format: 'fq' }), () => {});
    const fq = parseOnnx(readFileSync(join(dir, 'fq.onnx'))).nodes.filter((n) => n.opType === 'FakeQuantize');
    expect(fq.length).toBe(2);
    expect(fq.every((n) => n.domain === 'org.openvinotoolkit' && n.attributes.levels?.value === 2)).toBe(true);
  }, 300_000);

  it('--format errors are usage errors (exit 2)', async () => {
    const q = cfg('q.json', { compression: { algorithm: 'quantization' } });
    const r = await runCli('train', '--model', model, '--config', q, '--train', DIGITS, '--val', DIGITS, '--out', join(dir, 'x.onnx'), '--format', 'fq', '--no-progress');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--format fq sets the export form of binarization, and the config has none');
    const bad = await runCli('train', '--model', model, '--config', q, '--train', DIGITS, '--val', DIGITS, '--out', join(dir, 'x.onnx'), '--format', 'xml', '--no-progress');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--format must be onnx or fq, got 'xml'");
  }, 300_000);

  it('compress warns that binarizers turn on while training', async () => {
    const c = cfg('c.json', { compression: { algorithm: 'binarization', mode: 'dorefa' } });
    const r = await runCli('compress', '--model', model, '--config', c, '--data', DIGITS, '--preprocess', 'scale=0.0625', '--out', join(dir, 'c.onnx'), '--no-latency-check');
    expect(r.code).toBe(0);
    expect(r.err).toContain('nncf-ts: warning: binarization turns its binarizers on at params.activations_quant_start_epoch');
  }, 300_000);
});
