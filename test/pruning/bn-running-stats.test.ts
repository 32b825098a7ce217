/**
 * BatchNorm running statistics while fine-tuning with filter-pruning masks, on ORT (host mode) and on the
 * tfjs engine, against what PyTorch (so NNCF) computes: running = m·running + (1−m)·batch with ONNX
 * momentum m (PyTorch momentum 1−m), the running variance taking the UNBIASED batch variance
 * (· n/(n−1), n = N·H·W), masked channels seeing an all-zero input (batch mean 0, variance 0) and,
 * with prune_batch_norms, a zero output (γ, β masked). The learning rate is 0, so the batch statistics
 * of every step are those of the initial weights and are computed here in float64. Also: the exported
 * models (smaller, and --keep-shape) take the trained, masked weights and these statistics, and pruned
 * filters get no gradient (NNCF's zero_grad).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { exportCompressedModelBytes } from '../../src/api.js';
import type { FilterPruningController } from '../../src/algorithms/pruning/index.js';
import { Dataset } from '../../src/data/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import type { TrainingEngineName } from '../../src/training/index.js';
import { OnnxBuilder, seededRandom } from '../helpers/onnx-builder.js';
import { makeJob } from '../training/ort-helpers.js';

const N = 8; // one batch per epoch: the statistics do not depend on the shuffling
const CIN = 2;
const C = 16; // 16 filters at level 0.5: 8 kept (NNCF rounds the kept count up to a multiple of 8)
const HW = 3;
const M = 0.9; // ONNX momentum (PyTorch momentum 0.1)
const EPOCHS = 3;

const rnd = seededRandom(5);
const vals = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + (hi - lo) * rnd());
const W1 = vals(C * CIN, -1, 1);
const W2 = vals(C * C, -0.5, 0.5);
const BN = { g1: vals(C, 0.5, 1.5), b1: vals(C, -0.3, 0.3), m1: vals(C, -0.2, 0.2), v1: vals(C, 0.5, 1.5), g2: vals(C, 0.5, 1.5), b2: vals(C, -0.3, 0.3), m2: vals(C, -0.2, 0.2), v2: vals(C, 0.5, 1.5) };
const FC = vals(3 * C, -0.5, 0.5);
const X = Float32Array.from({ length: N * CIN * HW * HW }, () => rnd() * 2 - 1 + 0.3);
const Y = Int32Array.from({ length: N }, (_, i) => i % 3);

/** x → conv1 1×1 → bn1 → relu → conv2 1×1 → bn2 → relu → GAP → Gemm. */
function model(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 1, name: 'bn_stats' });
  const x = b.input('input', ['N', CIN, HW, HW]);
  const bn = (inp: string, i: 1 | 2) =>
    b.node('BatchNormalization', [inp, b.initializer(`bn${i}.weight`, 'float32', [C], BN[`g${i}`]), b.initializer(`bn${i}.bias`, 'float32', [C], BN[`b${i}`]), b.initializer(`bn${i}.running_mean`, 'float32', [C], BN[`m${i}`]), b.initializer(`bn${i}.running_var`, 'float32', [C], BN[`v${i}`])], { epsilon: 1e-5, momentum: M }, { name: `bn${i}` });
  let y = b.node('Conv', [x, b.initializer('conv1.weight', 'float32', [C, CIN, 1, 1], W1)], { kernel_shape: [1, 1] }, { name: 'conv1' });
  y = b.node('Relu', [bn(y, 1)], {}, { name: 'relu1' });
  y = b.node('Conv', [y, b.initializer('conv2.weight', 'float32', [C, C, 1, 1], W2)], { kernel_shape: [1, 1] }, { name: 'conv2' });
  y = b.node('Relu', [bn(y, 2)], {}, { name: 'relu2' });
  y = b.node('Flatten', [b.node('GlobalAveragePool', [y], {}, { name: 'gap' })], { axis: 1 }, { name: 'flatten' });
  b.output(b.node('Gemm', [y, b.initializer('fc.weight', 'float32', [3, C], FC), b.initializer('fc.bias', 'float32', [3], [0, 0, 0])], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), ['N', 3]);
  return b.toGraph();
}

const train = () => new Dataset({ dtype: 'float32', shape: [N, CIN, HW, HW], data: X }, { dtype: 'int32', shape: [N], data: Y });

function config(lr: number, pruneBatchNorms = true) {
  return {
    batch_size: N,
    epochs: EPOCHS,
    seed: 1,
    optimizer: { type: 'sgd', base_lr: lr, weight_decay: 0, optimizer_params: { momentum: 0.9 } },
    compression: { algorithm: 'filter_pruning', pruning_init: 0.5, params: { schedule: 'baseline', pruning_target: 0.5, prune_first_conv: true, prune_batch_norms: pruneBatchNorms } },
  };
}

/** 1×1 conv in float64: out[n][c][p] = Σ_i w[c·cin + i]·mask[c]·in[n][i][p]. */
function conv1x1(inp: Float64Array[][], w: number[], cin: number, mask: Uint8Array): Float64Array[][] {
  const P = HW * HW;
  return inp.map((xi) => Array.from({ length: C }, (_, c) => {
    const o = new Float64Array(P);
    if (mask[c]) for (let i = 0; i < cin; i++) for (let p = 0; p < P; p++) o[p] += w[c * cin + i] * xi[i][p];
    return o;
  }));
}

/** Per-channel batch mean, biased and unbiased variance over N·H·W. */
function moments(y: Float64Array[][]) {
  const n = N * HW * HW;
  const mean = new Float64Array(C);
  const biased = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    for (const yn of y) for (const v of yn[c]) mean[c] += v / n;
    for (const yn of y) for (const v of yn[c]) biased[c] += (v - mean[c]) ** 2 / n;
  }
  return { mean, biased, unbiased: biased.map((v) => (v * n) / (n - 1)) };
}

/** The statistics PyTorch's BatchNorm2d(momentum 0.1) holds after EPOCHS identical train-mode batches. */
function expected(keep1: Uint8Array, keep2: Uint8Array, pruneBatchNorms: boolean) {
  const P = HW * HW;
  const x = Array.from({ length: N }, (_, n) => Array.from({ length: CIN }, (_, i) => Float64Array.from(X.subarray((n * CIN + i) * P, (n * CIN + i + 1) * P))));
  const y1 = conv1x1(x, W1, CIN, keep1);
  const s1 = moments(y1);
  // bn1 in train mode normalises with the biased batch variance; γ, β masked with prune_batch_norms
  const a1 = y1.map((yn) => yn.map((ch, c) => {
    const g = pruneBatchNorms && !keep1[c] ? 0 : BN.g1[c];
    const be = pruneBatchNorms && !keep1[c] ? 0 : BN.b1[c];
    return ch.map((v) => Math.max(0, (g * (v - s1.mean[c])) / Math.sqrt(s1.biased[c] + 1e-5) + be));
  }));
  const s2 = moments(conv1x1(a1, W2, C, keep2));
  const run = (init: number[], batch: Float64Array) => init.map((r, c) => M ** EPOCHS * r + (1 - M ** EPOCHS) * batch[c]);
  return { bn1: { mean: run(BN.m1, s1.mean), var: run(BN.v1, s1.biased), unbiasedVar: run(BN.v1, s1.unbiased) }, bn2: { mean: run(BN.m2, s2.mean), var: run(BN.v2, s2.biased) } };
}

const read = (job: Awaited<ReturnType<typeof makeJob>>, name: string) => {
  const t = job.created.model.engine.getWeight(name);
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

const closeTo = (got: ArrayLike<number>, want: ArrayLike<number>, rel = 2e-5) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(want[i])));
};

async function trained(engine: TrainingEngineName, lr: number, pruneBatchNorms = true) {
  const job = await makeJob({ graph: model, train: train(), engine, config: config(lr, pruneBatchNorms) });
  await job.trainer.fit();
  const c = job.created.controller as FilterPruningController;
  return { job, c, keep: c.groups.map((g, i) => ({ members: g.members.map((m) => m.node.name), keep: c.keep[i] })) };
}

const keepOf = (k: { members: string[]; keep: Uint8Array }[], conv: string) => k.find((g) => g.members.includes(conv))!.keep;

describe('BN running statistics under filter-pruning masks (PyTorch semantics)', () => {
  for (const engine of ['ort', 'tfjs'] as const)
    it(`${engine}: kept channels as the ONNX spec (momentum, biased variance); masked channels decay to 0; exports carry them`, async () => {
      const { job, c, keep } = await trained(engine, 0);
      const before = tf.memory().numTensors;
      expect(job.trainer.engine).toBe(engine);
      const k1 = keepOf(keep, 'conv1');
      const k2 = keepOf(keep, 'conv2');
      expect([...k1].filter((v) => v === 1).length).toBe(8);
      expect([...k2].filter((v) => v === 1).length).toBe(8);
      const want = expected(k1, k2, true);
      const got = { m1: read(job, 'bn1.running_mean'), v1: read(job, 'bn1.running_var'), m2: read(job, 'bn2.running_mean'), v2: read(job, 'bn2.running_var') };
      closeTo(got.m1, want.bn1.mean);
      closeTo(got.v1, want.bn1.var);
      closeTo(got.m2, want.bn2.mean);
      closeTo(got.v2, want.bn2.var);
      // the ONNX spec's biased variance, not PyTorch's unbiased running_var: n/(n−1) = 72/71 is visible at this
      // size (docs/pruning.md says why the engine keeps the spec)
      const kept = [...k1].findIndex((v) => v === 1);
      expect(Math.abs(got.v1[kept] - want.bn1.unbiasedVar[kept])).toBeGreaterThan(1e-4 * Math.max(1, want.bn1.var[kept]));
      // masked channel: zero input → mean and variance decay by m per step: m³·initial
      const masked = [...k1].findIndex((v) => v === 0);
      expect(got.m1[masked]).toBeCloseTo(M ** EPOCHS * BN.m1[masked], 6);
      expect(got.v1[masked]).toBeCloseTo(M ** EPOCHS * BN.v1[masked], 6);

      // the smaller export keeps exactly the kept channels' statistics; --keep-shape keeps all of them
      const small = parseOnnx(exportCompressedModelBytes(job.created)).initializers;
      const pick = (v: number[], k: Uint8Array) => v.filter((_, i) => k[i] === 1);
      closeTo(small.get('bn1.running_var')!.values as Float32Array, pick(want.bn1.var, k1));
      closeTo(small.get('bn2.running_mean')!.values as Float32Array, pick(want.bn2.mean, k2));
      c.keepShape = true;
      const full = parseOnnx(exportCompressedModelBytes(job.created)).initializers;
      c.keepShape = false;
      closeTo(full.get('bn2.running_var')!.values as Float32Array, want.bn2.var);
      // γ, β of pruned channels are exported as 0 (prune_batch_norms)
      const g1 = full.get('bn1.weight')!.values as Float32Array;
      expect(g1[masked]).toBe(0);
      expect(g1[kept]).toBeCloseTo(BN.g1[kept], 6);
      // reading statistics and exporting twice leaves no tensor behind
      expect(tf.memory().numTensors).toBe(before);
      job.created.controller.dispose();
    }, 300_000);

  it('ORT host mode: pruned filters get no gradient (zero_grad), and both exports take the trained, masked weights', async () => {
    const { job, c, keep } = await trained('ort', 0.2);
    const k1 = keepOf(keep, 'conv1');
    const w1 = read(job, 'conv1.weight');
    for (let o = 0; o < C; o++)
      for (let i = 0; i < CIN; i++) {
        const j = o * CIN + i;
        if (k1[o]) expect(Math.abs(w1[j] - W1[j])).toBeGreaterThan(0); // trained
        else expect(w1[j]).toBeCloseTo(W1[j], 7); // weight_decay 0: untouched
      }
    const keptRows = w1.filter((_, j) => k1[Math.floor(j / CIN)] === 1);
    closeTo(parseOnnx(exportCompressedModelBytes(job.created)).initializers.get('conv1.weight')!.values as Float32Array, keptRows, 1e-7);
    c.keepShape = true;
    const full = parseOnnx(exportCompressedModelBytes(job.created)).initializers.get('conv1.weight')!.values as Float32Array;
    c.keepShape = false;
    closeTo(full, w1.map((v, j) => (k1[Math.floor(j / CIN)] ? v : 0)), 1e-7);
    job.created.controller.dispose();
  }, 300_000);

  it('prune_batch_norms false: γ, β of pruned channels are not masked, so a pruned channel outputs relu(β) downstream (as NNCF)', async () => {
    const { job, keep } = await trained('ort', 0, false);
    const k1 = keepOf(keep, 'conv1');
    const k2 = keepOf(keep, 'conv2');
    const want = expected(k1, k2, false);
    closeTo(read(job, 'bn2.running_mean'), want.bn2.mean);
    closeTo(read(job, 'bn2.running_var'), want.bn2.var);
    // and it differs from the masked-β statistics wherever a pruned channel has β > 0
    const masked = expected(k1, k2, true);
    const differs = want.bn2.mean.some((v, i) => Math.abs(v - masked.bn2.mean[i]) > 1e-4);
    expect(differs).toBe(true);
    job.created.controller.dispose();
  }, 300_000);
});
