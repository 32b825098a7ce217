/**
 * `nncf-ts train` with filter_pruning learned_ranking: LeGR's episodes train on --train and validate on
 * --val (no user code), the learned coefficients are saved in NNCF's JSON, and a second run loads them
 * instead of searching. `compress` (no validation data) says how to give LeGR its data.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
const cfg = (name: string, params: object, top: object = {}) => {
  const path = join(dir, name);
  const legr = { interlayer_ranking_type: 'learned_ranking', pruning_flops_target: 0.3, legr_params: { generations: 2, train_steps: 3, population_size: 2 } };
  writeFileSync(path, JSON.stringify({ input_info: { sample_size: [1, 1, 8, 8] }, batch_size: 32, epochs: 0, seed: 1, optimizer: { type: 'sgd', base_lr: 0.02 }, compression: { algorithm: 'filter_pruning', params: { ...legr, ...params } }, ...top }));
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

  it('seeded: a second search with the same legr_params.random_seed saves the same coefficients; NNCF\'s LeGR log lines reach log_dir\'s output.log', async () => {
    const logDir = join(dir, 'logs');
    const [first, second] = [join(dir, 'seed-a.json'), join(dir, 'seed-b.json')];
    const lines: string[] = [];
    await trainCommand(base({ config: cfg('seed-a.json.cfg', { save_ranking_coeffs_path: first, legr_params: { generations: 3, train_steps: 2, population_size: 2, random_seed: 7 } }, { log_dir: logDir }), out: join(dir, 'sa.onnx') }), (l) => lines.push(l));
    await trainCommand(base({ config: cfg('seed-b.json.cfg', { save_ranking_coeffs_path: second, legr_params: { generations: 3, train_steps: 2, population_size: 2, random_seed: 7 } }), out: join(dir, 'sb.onnx') }), () => {});
    expect(readFileSync(second, 'utf8')).toBe(readFileSync(first, 'utf8'));
    // another seed samples other coefficients (so the equality above is the seed's doing)
    const third = join(dir, 'seed-c.json');
    await trainCommand(base({ config: cfg('seed-c.json.cfg', { save_ranking_coeffs_path: third, legr_params: { generations: 3, train_steps: 2, population_size: 2, random_seed: 8 } }), out: join(dir, 'sc.onnx') }), () => {});
    expect(readFileSync(third, 'utf8')).not.toBe(readFileSync(first, 'utf8'));
    // the three generations: random actions for the first population_size (2), then a mutation of the best
    const gens = lines.filter((l) => l.startsWith('LeGR generation'));
    expect(gens.map((l) => l.split(':')[0])).toEqual(['LeGR generation 0', 'LeGR generation 1', 'LeGR generation 2']);
    const [run] = readdirSync(join(logDir, readdirSync(logDir)[0]));
    const output = readFileSync(join(logDir, readdirSync(logDir)[0], run, 'output.log'), 'utf8').split('\n');
    const at = (prefix: string) => output.findIndex((l) => l.startsWith(prefix));
    expect(at('Start training LeGR ranking coefficients...')).toBeGreaterThanOrEqual(0);
    expect(at('LeGR generation 0')).toBeGreaterThan(at('Start training LeGR'));
    expect(at('Finished training LeGR ranking coefficients.')).toBeGreaterThan(at('LeGR generation 2'));
    const rewards = gens.map((l) => Number(/reward (-?[\d.]+|-Infinity)/.exec(l)![1]));
    const history = output[at('Evolution algorithm rewards history = ')];
    expect(JSON.parse(history.split(' = ')[1]).map((r: number) => r.toFixed(4))).toEqual(rewards.map((r) => r.toFixed(4)));
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
