/**
 * `nncf-ts train` with filter_pruning learned_ranking: LeGR's episodes train on --train and validate on
 * --val (no user code), the learned coefficients are saved in NNCF's JSON, and a second run loads them
 * instead of searching. `compress` (no validation data) says how to give LeGR its data.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trainCommand, type TrainCommandOptions } from '../../src/cli/commands/train.js';
import { runCli } from '../helpers/cli.js';
import { DIGITS, digitsCnn } from '../training/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-legr-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'raw.onnx');
writeFileSync(model, digitsCnn({ channels: 8 }).bytes);
const cfg = (name: string, params: object) => {
  const path = join(dir, name);
  const legr = { interlayer_ranking_type: 'learned_ranking', pruning_flops_target: 0.3, legr_params: { generations: 2, train_steps: 3, population_size: 2 } };
  writeFileSync(path, JSON.stringify({ input_info: { sample_size: [1, 1, 8, 8] }, batch_size: 32, epochs: 0, seed: 1, optimizer: { type: 'sgd', base_lr: 0.02 }, compression: { algorithm: 'filter_pruning', params: { ...legr, ...params } } }));
  return path;
};
const base = (o: Partial<TrainCommandOptions>): TrainCommandOptions => ({ model, config: '', train: DIGITS, val: DIGITS, out: join(dir, 'out.onnx'), preprocess: 'scale=0.0625', progress: false, ...o });

describe('nncf-ts train with learned_ranking (LeGR)', () => {
  it('searches with --train/--val, saves the coefficients, and a second run loads them', async () => {
    const saved = join(dir, 'coeffs.json');
    const lines: string[] = [];
    await trainCommand(base({ config: cfg('learn.json', { save_ranking_coeffs_path: saved }), out: join(dir, 'a.onnx') }), (l) => lines.push(l));
    const coeffs = JSON.parse(readFileSync(saved, 'utf8')) as Record<string, [number, number]>;
    expect(Object.keys(coeffs)).toEqual(['conv/Conv']);
    expect(coeffs['conv/Conv'].every(Number.isFinite)).toBe(true);
    const again = join(dir, 'again.json');
    await trainCommand(base({ config: cfg('load.json', { load_ranking_coeffs_path: saved, save_ranking_coeffs_path: again }), out: join(dir, 'b.onnx') }), () => {});
    expect(JSON.parse(readFileSync(again, 'utf8'))).toEqual(coeffs);
  }, 300_000);

  it('plan: learned_ranking without coefficients is a usage error naming load_ranking_coeffs_path; with them it plans', async () => {
    const r = await runCli('plan', '--model', model, '--config', cfg('p.json', {}), '--json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/"learned_ranking" chooses the pruned filters by LeGR's training episodes.*load_ranking_coeffs_path/);
    const coeffs = join(dir, 'plan-coeffs.json');
    writeFileSync(coeffs, JSON.stringify({ 'conv/Conv': [1, 0] }));
    const ok = await runCli('plan', '--model', model, '--config', cfg('p2.json', { load_ranking_coeffs_path: coeffs }), '--json');
    expect(ok.code, ok.err).toBe(0);
    expect(JSON.parse(ok.out).algorithms[0].groups).toHaveLength(1);
  }, 300_000);

  it('compress has no validation data for LeGR: the error names LeGRInitArgs, nncf-ts train and load_ranking_coeffs_path', async () => {
    const r = await runCli('compress', '--model', model, '--config', cfg('c.json', {}), '--data', DIGITS, '--preprocess', 'scale=0.0625', '--out', join(dir, 'c.onnx'), '--no-latency-check');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/learned_ranking.*LeGRInitArgs.*nncf-ts train.*load_ranking_coeffs_path/s);
  }, 300_000);
});
