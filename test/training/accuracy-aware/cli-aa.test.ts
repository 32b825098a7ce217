/**
 * `nncf-ts train` with accuracy_aware_training: early_exit + INT8 QAT on the digits CNN (fine-tuned FP32
 * first). Staged QAT (quantizers on from epoch 1) meets the budget first after the second epoch and
 * returns there; plain INT8 meets it after initialization and returns without training. The history
 * goes to --report and log_dir; --resume/--epochs are refused with it; compress warns it has no effect.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainCommand, type TrainCommandOptions } from '../../../src/cli/commands/train.js';
import { UsageError } from '../../../src/cli/usage-error.js';
import { runCli } from '../../helpers/cli.js';
import { DIGITS, digitsCnn } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-cli-aa-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const raw = join(dir, 'raw.onnx');
const fp32 = join(dir, 'fp32.onnx');
const cfg = (name: string, doc: object) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ input_info: { sample_size: [1, 1, 8, 8] }, batch_size: 64, seed: 1, optimizer: { type: 'sgd', base_lr: 0.02, optimizer_params: { momentum: 0.9 } }, ...doc }));
  return path;
};
const EARLY = { mode: 'early_exit', params: { maximal_absolute_accuracy_degradation: 0.02, maximal_total_epochs: 4 } };
const base = (o: Partial<TrainCommandOptions>): TrainCommandOptions => ({ model: fp32, config: '', train: DIGITS, val: DIGITS, out: join(dir, 'out.onnx'), preprocess: 'scale=0.0625', progress: false, ...o });

beforeAll(async () => {
  writeFileSync(raw, digitsCnn().bytes);
  await trainCommand(base({ model: raw, config: cfg('fp32.json', { epochs: 3, optimizer: { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9 } } }), out: fp32 }), () => {});
}, 300_000);

describe('nncf-ts train with accuracy_aware_training (early_exit)', () => {
  it('staged INT8 QAT: returns after the first epoch whose model is fully compressed within the budget', async () => {
    const lines: string[] = [];
    const report = join(dir, 'staged.json');
    const config = cfg('staged.json', { log_dir: join(dir, 'logs'), accuracy_aware_training: EARLY, compression: { algorithm: 'quantization', params: { activations_quant_start_epoch: 1, weights_quant_start_epoch: 1 } } });
    await trainCommand(base({ config, report }), (l) => lines.push(l));
    const progress = lines.filter((l) => /^accuracy-aware [a-z-]+ \(epoch/.test(l));
    // init and epoch 1 run with the quantizers off (scheduler epochs -1, 0), epoch 2 with them on
    expect(progress[0]).toMatch(/^accuracy-aware init \(epoch 0\): compression rate 0\.0000, val acc 0\.\d{4}, budget [+-]0\.\d{4} \(not fully compressed\)$/);
    expect(progress[1]).toMatch(/^accuracy-aware train \(epoch 1\): .* \(not fully compressed\)$/);
    expect(progress[2]).toMatch(/^accuracy-aware train \(epoch 2\): compression rate 0\.0000, val acc 0\.\d{4}, budget \+0\.\d{4}$/);
    expect(lines.filter((l) => l.startsWith('epoch '))).toHaveLength(2);
    expect(lines.join('\n')).toContain('accuracy-aware result: criterion met after epoch 2');
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.accuracy_aware_training.mode).toBe('early_exit');
    expect(json.accuracy_aware_training.epochs).toBe(2);
    expect(json.accuracy_aware_training.history.map((h: { phase: string }) => h.phase)).toEqual(['init', 'train', 'train']);
    expect(json.accuracy_aware_training.budget).toBeGreaterThanOrEqual(0);
    const u = json.accuracy_aware_training.uncompressedAccuracy;
    expect(json.accuracy_aware_training.minimalTolerableAccuracy).toBeCloseTo(u - 0.02, 12);
    const runs = readdirSync(join(dir, 'logs'), { recursive: true }).map(String);
    const history = runs.find((p) => p.endsWith('accuracy_aware_history.json'));
    expect(history).toBeDefined();
    expect(JSON.parse(readFileSync(join(dir, 'logs', history!), 'utf8')).history).toHaveLength(3);
  }, 300_000);

  it('plain INT8: the budget is met after initialization, so no epoch runs', async () => {
    const lines: string[] = [];
    const config = cfg('int8.json', { epochs: 7, accuracy_aware_training: EARLY, compression: { algorithm: 'quantization' } });
    await trainCommand(base({ config, out: join(dir, 'int8.onnx') }), (l) => lines.push(l));
    expect(lines).toContain('epochs (7) is not used: accuracy_aware_training\'s maximal_total_epochs bounds the epochs');
    expect(lines.filter((l) => l.startsWith('epoch '))).toHaveLength(0);
    expect(lines.join('\n')).toContain('accuracy-aware result: criterion met after initialization');
    expect(existsSync(join(dir, 'int8.onnx'))).toBe(true);
  }, 300_000);

  it('refuses --resume and --epochs with the section; adaptive mode with quantization only is a config error', async () => {
    const config = cfg('r.json', { accuracy_aware_training: EARLY, compression: { algorithm: 'quantization' } });
    await expect(trainCommand(base({ config, resume: join(dir, 'x.ckpt') }), () => {})).rejects.toThrow(UsageError);
    await expect(trainCommand(base({ config, epochs: '2' }), () => {})).rejects.toThrow('--epochs cannot be combined with accuracy_aware_training');
    const adaptive = cfg('a.json', { accuracy_aware_training: { mode: 'adaptive_compression_level', params: { maximal_relative_accuracy_degradation: 1, initial_training_phase_epochs: 1, patience_epochs: 1 } }, compression: { algorithm: 'quantization' } });
    const r = await runCli('train', '--model', fp32, '--config', adaptive, '--train', DIGITS, '--val', DIGITS, '--out', join(dir, 'a.onnx'), '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toContain('accuracy_aware_training.mode');
  }, 300_000);

  it('adaptive_compression_level with magnitude_sparsity: searches the rate and ends at the highest one within the budget', async () => {
    const lines: string[] = [];
    const report = join(dir, 'adaptive.json');
    const aa = { mode: 'adaptive_compression_level', params: { maximal_absolute_accuracy_degradation: 0.03, initial_training_phase_epochs: 1, patience_epochs: 1, initial_compression_rate_step: 0.2, maximal_total_epochs: 5 } };
    // the scheduler is at its target from the start (multistep 0.3 → 0.3), so every state is fully compressed
    const sparsity = { algorithm: 'magnitude_sparsity', sparsity_init: 0.3, params: { schedule: 'multistep', multistep_steps: [1], multistep_sparsity_levels: [0.3, 0.3] } };
    await trainCommand(base({ config: cfg('adaptive.json', { accuracy_aware_training: aa, compression: sparsity }), out: join(dir, 'sparse.onnx'), report }), (l) => lines.push(l));
    const r = JSON.parse(readFileSync(report, 'utf8')).accuracy_aware_training;
    const h = r.history as { phase: string; compressionRate: number; budget: number; rateStep: number }[];
    expect(h[0].phase).toBe('init');
    expect(h[0].compressionRate).toBeCloseTo(0.3, 1); // the measured level (NNCF's compression_rate: sparsity over all weights)
    expect(h.at(-1)!.phase).toBe('final');
    // the first search target is the start rate ± 0.2, by the sign of the best budget after the initial phase
    const first = h.find((x) => x.phase === 'search-start')!;
    expect([-0.2, 0.2].some((d) => Math.abs(first.compressionRate - (h[0].compressionRate + d)) < 1e-9)).toBe(true);
    // the result: the highest rate whose budget was >= 0 (NNCF's final checkpoint choice)
    const fitting = h.filter((x) => x.phase !== 'final' && x.budget >= 0).map((x) => x.compressionRate);
    expect(fitting.length).toBeGreaterThan(0);
    expect(r.compressionRate).toBe(Math.max(...fitting));
    expect(r.accuracy).toBeGreaterThanOrEqual(r.minimalTolerableAccuracy);
    expect(r.epochs).toBeLessThanOrEqual(5);
    // the model left in place (and exported) is at that rate
    const stats = JSON.parse(readFileSync(report, 'utf8')).statistics;
    // the target level is set on the sparsified weights; the measured level counts every weight (as NNCF)
    expect(stats['magnitude_sparsity/sparsity_level']).toBeCloseTo(r.compressionRate, 1);
    expect(stats['magnitude_sparsity/sparsity_level']).toBeGreaterThan(0.3);
    expect(lines.join('\n')).toContain('accuracy-aware result: ');
  }, 300_000);

  it('compress warns that the section has no effect there', async () => {
    const config = cfg('c.json', { accuracy_aware_training: EARLY, compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 8 } } } });
    const r = await runCli('compress', '--model', fp32, '--config', config, '--data', DIGITS, '--preprocess', 'scale=0.0625', '--out', join(dir, 'c.onnx'), '--no-latency-check');
    expect(r.code).toBe(0);
    expect(r.err).toContain('nncf-ts: warning: accuracy_aware_training has no effect here: it is a training loop, and compress trains nothing (use train)');
  }, 300_000);
});
