/**
 * movement_sparsity on a real PyTorch export of a BERT-style encoder (scripts/export-tiny-bert.py:
 * Hugging Face's BertLayer code with random weights, torch 1.13's exporter; committed as small
 * fixtures): Linear as MatMul with a transposed weight + Add(bias, ·), LayerNorm decomposed, GELU with
 * Erf, the parameters of equal LayerNorms behind Identity. Two exports: a fixed input shape (the
 * exporter folds the head shapes to constants) and a dynamic batch/sequence, where the head shapes are
 * built at run time (Concat of Shape→Gather→Unsqueeze entries and the constant heads/head_size).
 * Both: the attention groups (query/key/value rows + attention output dense columns, heads of 8) and
 * the FFN groups are found; after warm-up the structured masks remove a whole head and FFN channels;
 * the export runs on ONNX Runtime equal to the masked engine model (1e-4), also with the pruned head
 * and channels physically removed (`--remove-structured`), which for the dynamic export keeps taking any
 * batch and sequence length. Both train with the trainer on ONNX Runtime through the whole warm-up.
 * Regenerate the fixtures with `/usr/bin/python3 scripts/export-tiny-bert.py test/fixtures/models`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../src/algorithms/index.js';
import { torchMask, type MovementSparsityController } from '../../../src/algorithms/sparsity/index.js';
import { exportCompressedModelBytes, exportGraph, removeStructuredMasks } from '../../../src/api.js';
import { createCompressedModel } from '../../../src/compression/index.js';
import { NNCFConfig } from '../../../src/config/index.js';
import { initBackend } from '../../../src/engine/index.js';
import { exportOnnx } from '../../../src/exporters/onnx/index.js';
import { parseOnnx } from '../../../src/frontends/onnx/index.js';
import { OrtSession } from '../../../src/runtime/index.js';
import { Dataset } from '../../../src/data/index.js';
import { taskLoss } from '../../../src/training/index.js';
import { seededRandom } from '../../helpers/onnx-builder.js';
import { makeJob } from '../../training/ort-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const fixture = (kind: string) => readFileSync(join(import.meta.dirname, '../../fixtures/models', `tiny-bert-${kind}.onnx`));
const SHAPE = [2, 6, 32];
const PARAMS = { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 0.5, steps_per_epoch: 2 };
const LINEARS = ['attention/self/query', 'attention/self/key', 'attention/self/value', 'attention/dense', 'dense', 'dense_1'];

async function build(kind: string) {
  const cfg = NNCFConfig.fromObject({ input_info: { sample_size: SHAPE }, compression: { algorithm: 'movement_sparsity', params: PARAMS } });
  const r = await createCompressedModel(parseOnnx(fixture(kind)), cfg);
  return { ...r, ctrl: r.controller as MovementSparsityController };
}
const data = (n: number, seed: number) => {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: n }, () => rnd() * 2 - 1);
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
async function ortRun(bytes: Uint8Array, shape: number[], x: Float32Array): Promise<Float32Array> {
  const s = await OrtSession.create(bytes);
  const y = (await s.run({ hidden_states: { dtype: 'float32', shape, data: x } })).last_hidden_state.data as Float32Array;
  await s.release();
  return y;
}

describe.each(['static', 'dynamic'])('movement_sparsity on a PyTorch BERT export (%s shapes)', (kind) => {
  it('finds per encoder layer the attention group (heads of 8) and the FFN group; weights seen as [out, in]', async () => {
    const { ctrl } = await build(kind);
    expect(ctrl.sparsifiers.map((s) => s.name)).toEqual([0, 1].flatMap((l) => LINEARS.map((n) => `/layer.${l}/${n}/MatMul`)));
    // PyTorch stores Linear weights transposed for MatMul ([in, out]); biases come from Add(bias, MatMul)
    expect(ctrl.sparsifiers.map((s) => [s.layer.transposed, s.layer.shape, s.layer.bias !== undefined])[4]).toEqual([true, [64, 32], true]);
    expect(ctrl.groups.map((g) => [g.kind, g.block, g.members.map((m) => `${m.layer.split('/').slice(2, -1).join('/')}:${m.byRow ? 'rows' : 'cols'}`)])).toEqual([0, 1].flatMap(() => [
      ['attention', 8, ['attention/self/query:rows', 'attention/self/key:rows', 'attention/self/value:rows', 'attention/dense:cols']],
    ]).concat([0, 1].map(() => ['ffn', 1, ['dense:rows', 'dense_1:cols']])));
  });

  it('after warm-up a whole head and two FFN channels go; ORT = masked engine (1e-4), also physically removed', async () => {
    const { model, ctrl } = await build(kind);
    const layer = (l: number, n: string) => ctrl.sparsifiers.find((s) => s.name === `/layer.${l}/${n}/MatMul`)!;
    const set = (l: number, n: string, f: (r: number, c: number) => number, bias?: (r: number) => number) => {
      const s = layer(l, n);
      const [out, inp] = s.layer.shape;
      s.weight.importance.assign(tf.tidy(() => s.weight.fromOnnx(s.weight.toOnnx(tf.tensor(Float32Array.from({ length: out * inp }, (_, i) => f(Math.floor(i / inp), i % inp)), [out, inp])))));
      s.bias!.importance.assign(tf.tidy(() => tf.tensor(Float32Array.from({ length: out }, (_, r) => (bias ? bias(r) : 1)), s.bias!.importance.shape)));
    };
    // layer 0: head 1 (rows / columns 8..15) and FFN channels 0, 5 scored below the final threshold; layer 1 keeps all
    const head1 = (r: number) => (r >= 8 && r < 16 ? -1 : 1);
    const ch = (j: number) => (j === 0 || j === 5 ? -1 : 1);
    for (const n of LINEARS.slice(0, 3)) set(0, n, (r) => head1(r), head1);
    set(0, 'attention/dense', (_, c) => head1(c));
    set(0, 'dense', (r) => ch(r), ch);
    set(0, 'dense_1', (_, c) => ch(c));
    for (const n of LINEARS) set(1, n, () => 1);
    const xt = tf.tensor(data(2 * 6 * 32, 5), SHAPE);
    for (let epoch = 0; epoch < 3; epoch++) {
      ctrl.scheduler.epochStep();
      for (let i = 0; i < 2; i++) {
        ctrl.scheduler.step();
        tf.dispose(model.run({ hidden_states: xt }, { training: true }));
      }
    }
    expect(ctrl.sparsifiers.every((s) => s.frozen)).toBe(true);
    expect(ctrl.structuredReport!.map((r) => r.keptUnits.length)).toEqual([3, 3, 3, 3, 4, 4, 4, 4, 62, 62, 64, 64]);
    const q = torchMask(layer(0, 'attention/self/query').weight);
    expect(Array.from({ length: 32 }, (_, r) => q[r * 32])).toEqual(Array.from({ length: 32 }, (_, r) => (head1(r) > 0 ? 1 : 0)));
    // zeros: layer 0 Q/K/V 3·(8·32 + 8), dense 32·8, intermediate 2·(32 + 1), output 32·2 of 2·(4·(1024 + 32) + 2·2048 + 64 + 32)
    expect(ctrl.statistics().values.sparsity_level_for_layers).toBeCloseTo((3 * 264 + 256 + 66 + 64) / (2 * (4 * 1056 + 4096 + 96)), 12);
    const engine = tf.tidy(() => Array.from(model.run({ hidden_states: xt }).last_hidden_state.dataSync()));
    const x = xt.dataSync() as Float32Array;
    const masked = exportCompressedModelBytes({ model, controller: ctrl });
    const maskedOut = await ortRun(masked, SHAPE, x);
    expect(maxDiff(maskedOut, engine)).toBeLessThan(1e-4);
    removeStructuredMasks(ctrl);
    const small = exportGraph({ model, controller: ctrl });
    const weight = (n: string) => small.initializers.get(layer(0, n).layer.weight)!.dims;
    expect([weight('attention/self/query'), weight('attention/dense'), weight('dense'), weight('dense_1')]).toEqual([[32, 24], [24, 32], [32, 62], [62, 32]]);
    expect(small.initializers.get(layer(1, 'attention/self/query').layer.weight)!.dims).toEqual([32, 32]);
    const smallBytes = exportOnnx(small);
    expect(smallBytes.length).toBeLessThan(masked.length);
    const smallOut = await ortRun(smallBytes, SHAPE, x);
    const d = maxDiff(smallOut, engine);
    console.log(`PyTorch BERT (${kind}): ORT masked vs engine ${maxDiff(maskedOut, engine).toExponential(2)}, heads removed vs engine ${d.toExponential(2)}, bytes ${masked.length} → ${smallBytes.length}`);
    expect(d).toBeLessThan(1e-4);
    if (kind === 'dynamic') {
      // another batch and sequence length: the run-time entries of the head shapes still follow the input
      const other = [3, 5, 32];
      const x2 = data(3 * 5 * 32, 9);
      const a = await ortRun(masked, other, x2);
      const b = await ortRun(smallBytes, other, x2);
      expect(a.length).toBe(3 * 5 * 32);
      expect(maxDiff(a, b)).toBeLessThan(1e-4);
    }
    xt.dispose();
  }, 120_000);
});

describe('movement_sparsity training on the PyTorch BERT export', () => {
  it.each(['static', 'dynamic'])('%s: trains on ONNX Runtime through the whole warm-up (structured masks resolved, frozen)', async (kind) => {
    const n = 8, per = 6 * 32;
    const train = new Dataset({ dtype: 'float32', shape: [n, 6, 32], data: data(n * per, 1) }, { dtype: 'float32', shape: [n, 6, 32], data: data(n * per, 2) });
    const j = await makeJob({
      graph: () => parseOnnx(fixture(kind)), train, engine: 'ort', loss: taskLoss('mse', 'last_hidden_state'),
      config: { input_info: { sample_size: [1, 6, 32] }, batch_size: 2, epochs: 3, seed: 1, optimizer: { type: 'adam', base_lr: 0.01 }, compression: { algorithm: 'movement_sparsity', params: { ...PARAMS, steps_per_epoch: 4 } } },
    });
    const history = await j.trainer.fit();
    const mv = j.created.controller as MovementSparsityController;
    expect(j.trainer.engine).toBe('ort');
    expect(history.map((h) => Number.isFinite(h.loss))).toEqual([true, true, true]);
    expect(history[2].taskLoss).toBeLessThan(history[0].taskLoss);
    expect(mv.structuredReport).toHaveLength(12);
    expect(mv.sparsifiers.every((s) => s.frozen)).toBe(true);
    j.trainer.dispose();
  }, 120_000);
});
