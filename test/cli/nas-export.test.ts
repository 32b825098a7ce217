/**
 * Choosing and exporting one subnet of a `nas` run after the fact (issue 16 item 4) and `nas --resume`:
 * - nas keeps the trained supernet (supernet.onnx + supernet-state.json); `nas-export --index K` sets
 *   subnet K again from them without retraining: its file runs on ORT with the outputs of the run's
 *   subnet-K.onnx and of the handler-set subnet (1e-4) and has front.json's MACs;
 * - by budget (`--max-macs`, `--max-macs-ratio`, on nas and on nas-export): the most accurate front subnet
 *   within it; clear errors (index out of range, no subnet within the budget naming the smallest MACs,
 *   two choices, bad numbers, a front.json without the supernet);
 * - a nas run killed in the middle of its second stage and resumed with `--resume` gives the uninterrupted
 *   run's supernet (≤ 1e-6) and front, with knowledge distillation in the config (the CLI trains with it).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNas, type FrontJson, type NasRun } from '../../src/cli/commands/nas.js';
import { runNasExport } from '../../src/cli/commands/nas-export.js';
import { initBackend } from '../../src/engine/index.js';
import { saveOnnx } from '../../src/exporters/onnx/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { runCli } from '../helpers/cli.js';
import { writeLabelledNpz } from '../helpers/npz-data.js';
import { tinyBnResnet } from '../nas/nas-models.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-nas-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (kd: boolean) => ({
  input_info: { sample_size: [1, 2, 6, 6] },
  batch_size: 4,
  seed: 3,
  bootstrapNAS: {
    training: {
      progressivity_of_elasticity: ['depth', 'width'],
      batchnorm_adaptation: { num_bn_adaptation_samples: 4 },
      schedule: {
        list_stage_descriptions: [
          { train_dims: ['depth'], epochs: 1, init_lr: 0.3, depth_indicator: 3 },
          { train_dims: ['depth', 'width'], epochs: 2, init_lr: 0.3, depth_indicator: 3, width_indicator: 3, reorg_weights: true, bn_adapt: true },
        ],
      },
      elasticity: { available_elasticity_dims: ['width', 'depth'], width: { min_width: 4, width_step: 2, max_num_widths: 3 }, depth: { skipped_blocks: [['r0', 'r1'], ['r1', 'r2'], ['r2', 'r3']] } },
      ...(kd ? { compression: [{ algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2 }] } : {}),
    },
    search: { num_evals: 12, population: 6, seed: 2, batchnorm_adaptation: { num_bn_adaptation_samples: 4 } },
  },
});

const x = Float32Array.from({ length: 3 * 2 * 6 * 6 }, (_, i) => Math.cos(i * 0.13));
async function ortLogits(path: string): Promise<Float32Array> {
  const s = await OrtSession.create(path);
  const out = (await s.run({ x: { dtype: 'float32', shape: [3, 2, 6, 6], data: x } })).logits.data as Float32Array;
  await s.release();
  return out;
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

let run: NasRun;
let out: string;
let front: FrontJson;
const args = (o: string) => ({ model: join(dir, 'tiny.onnx'), config: join(dir, 'nas.json'), train: join(dir, 'train.npz'), val: join(dir, 'train.npz'), outDir: o, progress: false }); // val = train: the subnets' top-1 differ, so the front has several

beforeAll(async () => {
  await initBackend('wasm');
  saveOnnx(tinyBnResnet(), join(dir, 'tiny.onnx'));
  writeLabelledNpz(join(dir, 'train.npz'), 32, [2, 6, 6], 3, 3, true);
  writeLabelledNpz(join(dir, 'val.npz'), 6, [2, 6, 6], 3, 4);
  writeFileSync(join(dir, 'nas.json'), JSON.stringify(config(false)));
  writeFileSync(join(dir, 'nas-kd.json'), JSON.stringify(config(true)));
  out = join(dir, 'run');
  mkdirSync(out);
  run = await runNas({ ...args(out), maxMacsRatio: '0.7' }, () => {});
  front = JSON.parse(readFileSync(join(out, 'front.json'), 'utf8')) as FrontJson;
}, 240_000);
afterAll(() => run?.dispose());

describe('nas-export: one front subnet from the kept supernet, without retraining', () => {
  it('--index K equals the run\'s subnet-K.onnx and the handler-set subnet on ORT (1e-4), with front.json\'s MACs', async () => {
    expect(front.front.length).toBeGreaterThanOrEqual(2);
    expect(front.supernet).toMatchObject({ file: 'supernet.onnx', state_file: 'supernet-state.json' });
    expect(front.inputs).toEqual({ config: join(dir, 'nas.json'), train: join(dir, 'train.npz'), preprocess: null, batch_size: 4 });
    const before = tf.memory().numTensors;
    for (const k of [0, front.front.length - 1, Math.floor(front.front.length / 2)]) {
      const entry = front.front[k];
      const file = join(dir, `export-${k}.onnx`);
      const r = await runNasExport({ front: join(out, 'front.json'), index: String(k), out: file }, () => {});
      expect(r).toMatchObject({ index: k, file: entry.file, macs: entry.macs, top1: entry.top1 });
      const got = await ortLogits(file);
      expect(maxDiff(got, await ortLogits(join(out, entry.file))), entry.file).toBeLessThan(1e-4);
      // the handler-set subnet of the live run (its BN statistics adapted as in the search)
      await run.evaluator.activate(entry.config);
      const want = tf.tidy(() => run.model.run({ x: tf.tensor(x, [3, 2, 6, 6]) }).logits.dataSync());
      expect(maxDiff(got, want)).toBeLessThan(1e-4);
      // physically the subnet: fewer parameters when it is narrower than the supernet
      const params = async (p: string) => [...(await loadOnnxModel(p)).initializers.values()].reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1), 0);
      if (entry.macs < front.supernet.macs) expect(await params(file)).toBeLessThan(await params(join(out, 'supernet.onnx')));
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);

  it('by budget: the most accurate front subnet within --max-macs / --max-macs-ratio (ties: fewer MACs); nas names it in front.json', async () => {
    const best = (limit: number) => {
      let b = -1;
      front.front.forEach((f, i) => {
        if (f.macs <= limit && (b < 0 || f.top1 > front.front[b].top1 || (f.top1 === front.front[b].top1 && f.macs < front.front[b].macs))) b = i;
      });
      return b;
    };
    // nas --max-macs-ratio 0.7
    const want = best(0.7 * front.supernet.macs);
    expect(want).toBeGreaterThanOrEqual(0);
    expect(front.chosen).toEqual({ by: { max_macs_ratio: 0.7 }, index: want, file: front.front[want].file, macs: front.front[want].macs, top1: front.front[want].top1 });
    // nas-export at each front subnet's exact MACs: the budget is inclusive
    for (const [i, f] of front.front.entries()) {
      const r = await runNasExport({ front: join(out, 'front.json'), maxMacs: String(f.macs), out: join(dir, 'budget.onnx') }, () => {});
      expect(r.index).toBe(best(f.macs));
      expect(front.front[r.index].macs).toBeLessThanOrEqual(f.macs);
      expect(front.front[r.index].top1).toBeGreaterThanOrEqual(front.front[i].top1);
    }
    const r = await runNasExport({ front: join(out, 'front.json'), maxMacsRatio: '1', out: join(dir, 'budget.onnx') }, () => {});
    expect(r.index).toBe(best(front.supernet.macs));
  }, 240_000);

  it('errors: index out of range and no subnet within the budget (exit 1, naming the front\'s size / the smallest MACs); two choices, none, bad numbers (exit 2); a front.json without the supernet (exit 1)', async () => {
    const f = join(out, 'front.json');
    const o = join(dir, 'err.onnx');
    const n = front.front.length;
    let r = await runCli('nas-export', '--front', f, '--index', String(n), '--out', o);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`--index: index ${n} is out of range: the front has ${n} subnet(s), indices 0..${n - 1}`);
    const smallest = Math.min(...front.front.map((e) => e.macs));
    r = await runCli('nas-export', '--front', f, '--max-macs', String(smallest - 1), '--out', o);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`--max-macs: no subnet of the front is within ${smallest - 1} MACs: the smallest has ${smallest} MACs`);
    r = await runCli('nas-export', '--front', f, '--max-macs-ratio', '0.01', '--out', o);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`--max-macs-ratio: no subnet of the front is within 0.01 × the supernet's ${front.supernet.macs} MACs = \\d+ MACs: the smallest has ${smallest} MACs`));
    r = await runCli('nas-export', '--front', f, '--index', '0', '--max-macs', '1e6', '--out', o);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--index and --max-macs cannot be combined/);
    r = await runCli('nas-export', '--front', f, '--out', o);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/give one of --index, --max-macs or --max-macs-ratio/);
    r = await runCli('nas-export', '--front', f, '--index', '-1', '--out', o);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--index must be an integer ≥ 0/);
    r = await runCli('nas-export', '--front', f, '--max-macs-ratio', '1.5', '--out', o);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--max-macs-ratio must be a fraction .* in \(0, 1\]/);
    r = await runCli('nas-export', '--front', f, '--max-macs', 'lots', '--out', o);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--max-macs must be a positive number/);
    const old = JSON.parse(readFileSync(f, 'utf8')) as FrontJson;
    delete old.supernet.file;
    writeFileSync(join(dir, 'old-front.json'), JSON.stringify(old));
    r = await runCli('nas-export', '--front', join(dir, 'old-front.json'), '--index', '0', '--out', o);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/names no trained supernet/);
    // another config (other widths) does not give the front's subnets: refused, not exported wrong
    const other = config(false);
    other.bootstrapNAS.training.elasticity.width = { min_width: 2, width_step: 3, max_num_widths: 3 };
    writeFileSync(join(dir, 'other.json'), JSON.stringify(other));
    r = await runCli('nas-export', '--front', f, '--index', String(n - 1), '--config', join(dir, 'other.json'), '--out', o);
    expect(r.code).toBe(1);
    expect(existsSync(o)).toBe(false);
    // the CLI path works end to end, --json on stdout
    r = await runCli('nas-export', '--front', f, '--index', '0', '--out', o, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ index: 0, file: front.front[0].file, macs: front.front[0].macs });
    expect(existsSync(o)).toBe(true);
  }, 240_000);

  it('nas with a budget no front subnet meets: exit 1 naming the smallest MACs, front.json and the subnets still written', async () => {
    const o = join(dir, 'tight');
    const r = await runCli('nas', '--model', join(dir, 'tiny.onnx'), '--config', join(dir, 'nas.json'), '--train', join(dir, 'train.npz'), '--val', join(dir, 'val.npz'), '--out-dir', o, '--max-macs', '10', '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--max-macs: no subnet of the front is within 10 MACs: the smallest has \d+ MACs .*front\.json and the front's subnets are written/);
    const body = JSON.parse(readFileSync(join(o, 'front.json'), 'utf8')) as FrontJson;
    expect(body.chosen).toBeUndefined();
    expect(existsSync(join(o, body.front[0].file))).toBe(true);
    const bad = await runCli('nas', '--model', join(dir, 'tiny.onnx'), '--config', join(dir, 'nas.json'), '--train', join(dir, 'train.npz'), '--val', join(dir, 'val.npz'), '--out-dir', o, '--max-macs', '10', '--max-macs-ratio', '0.5');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--max-macs and --max-macs-ratio cannot be combined/);
  }, 240_000);
});

describe('nas reads optimizer.label_smoothing', () => {
  it('the loss smooths the labels (epoch losses differ from ε 0, nothing warned); a value outside [0, 1] exits 1 naming the key', async () => {
    const losses = async (name: string, eps?: number) => {
      writeFileSync(join(dir, name), JSON.stringify({ ...config(false), optimizer: { type: 'sgd', ...(eps === undefined ? {} : { label_smoothing: eps }) } }));
      const o = join(dir, `${name}-out`);
      mkdirSync(o);
      const lines: string[] = [];
      const r = await runNas({ ...args(o), config: join(dir, name) }, (l) => lines.push(l));
      r.dispose();
      expect(lines.join('\n')).not.toMatch(/label_smoothing/);
      return lines.filter((l) => /^epoch \d/.test(l)).map((l) => Number(/task ([\d.e-]+)/.exec(l)![1]));
    };
    const plain = await losses('ls0.json');
    const zero = await losses('ls-zero.json', 0);
    const smooth = await losses('ls.json', 0.3);
    expect(zero).toEqual(plain);
    expect(Math.abs(smooth[0] - plain[0])).toBeGreaterThan(1e-3);
    writeFileSync(join(dir, 'ls-bad.json'), JSON.stringify({ ...config(false), optimizer: { type: 'sgd', label_smoothing: 2 } }));
    const r = await runCli('nas', '--model', join(dir, 'tiny.onnx'), '--config', join(dir, 'ls-bad.json'), '--train', join(dir, 'train.npz'), '--val', join(dir, 'train.npz'), '--out-dir', join(dir, 'ls-bad'), '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/optimizer\.label_smoothing must be a number in \[0, 1\], got 2/);
  }, 240_000);
});

describe('nas --resume', () => {
  it('a run killed in the middle of stage 2 and resumed from its checkpoint gives the whole run\'s supernet (≤ 1e-6) and front (KD on)', async () => {
    const whole = join(dir, 'whole');
    const resumed = join(dir, 'resumed');
    mkdirSync(whole);
    mkdirSync(resumed);
    const kept = join(dir, 'killed.ckpt');
    const lines: string[] = [];
    const a = await runNas({ ...args(whole), config: join(dir, 'nas-kd.json'), checkpointEvery: '1' }, (l) => lines.push(l), {
      // 2 steps per epoch: epoch 2, batch 1 is in the middle of stage 2 (epochs 1–2)
      onCheckpoint: (path, pos) => pos.epoch === 2 && pos.batch === 1 && copyFileSync(path, kept),
    });
    a.dispose();
    // knowledge distillation trains in the CLI: a non-zero compression loss every epoch
    const kd = lines.filter((l) => /^epoch \d/.test(l)).map((l) => Number(/compression ([\d.e-]+)/.exec(l)![1]));
    expect(kd.length).toBe(3);
    expect(kd.every((v) => v > 0)).toBe(true);
    const log: string[] = [];
    const b = await runNas({ ...args(resumed), config: join(dir, 'nas-kd.json'), resume: kept }, (l) => log.push(l));
    b.dispose();
    expect(log.join('\n')).toMatch(/resumed from .*killed\.ckpt at epoch 2, batch 1/);
    expect(log.filter((l) => /^epoch \d/.test(l)).length).toBe(1);
    const weights = async (p: string) => (await loadOnnxModel(p)).initializers;
    const wa = await weights(join(whole, 'supernet.onnx'));
    const wb = await weights(join(resumed, 'supernet.onnx'));
    let diff = 0;
    for (const [name, t] of wa) {
      const u = wb.get(name)!;
      const va = t.values as Float32Array;
      const vb = u.values as Float32Array;
      if (!(va instanceof Float32Array)) continue;
      for (let i = 0; i < va.length; i++) diff = Math.max(diff, Math.abs(va[i] - vb[i]));
    }
    expect(diff).toBeLessThanOrEqual(1e-6);
    expect(readFileSync(join(resumed, 'supernet-state.json'), 'utf8')).toBe(readFileSync(join(whole, 'supernet-state.json'), 'utf8'));
    const fa = JSON.parse(readFileSync(join(whole, 'front.json'), 'utf8')) as FrontJson;
    const fb = JSON.parse(readFileSync(join(resumed, 'front.json'), 'utf8')) as FrontJson;
    expect(fb.front.map((f) => [f.config, f.macs])).toEqual(fa.front.map((f) => [f.config, f.macs]));
    fb.front.forEach((f, i) => expect(Math.abs(f.top1 - fa.front[i].top1)).toBeLessThan(1e-9));
  }, 240_000);

  it('errors: a missing checkpoint (exit 2); a checkpoint of another config (exit 1 naming --resume)', async () => {
    const o = join(dir, 'resume-err');
    const base = ['--model', join(dir, 'tiny.onnx'), '--train', join(dir, 'train.npz'), '--val', join(dir, 'val.npz'), '--out-dir', o, '--no-progress'];
    let r = await runCli('nas', ...base, '--config', join(dir, 'nas.json'), '--resume', join(dir, 'nope.ckpt'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--resume .*nope\.ckpt/);
    // the KD run's checkpoint (composite controller state) into the config without KD
    r = await runCli('nas', ...base, '--config', join(dir, 'nas.json'), '--resume', join(dir, 'killed.ckpt'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--resume .*killed\.ckpt: .*resume with the config and model of the interrupted run/);
  }, 240_000);
});
