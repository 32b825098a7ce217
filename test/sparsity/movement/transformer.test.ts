/**
 * movement_sparsity on the transformer-encoder test model: the attention (Q/K/V rows + output
 * projection columns, block = head size) and feed-forward groups; the MovementMask node form on ONNX
 * Runtime gives the engine's loss and gradients (weights and scores; none to the scores once frozen);
 * through warm-up, structured masks remove whole heads/channels at its end (fine zeros inside kept
 * heads dropped, as NNCF); the export has the zeros, no mask op, and runs on ORT within 1e-4 of the
 * masked engine model; controller state round trip.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import '../../../src/algorithms/index.js';
import { torchMask, type MovementSparsityController } from '../../../src/algorithms/sparsity/index.js';
import { exportCompressedModelBytes, exportGraph, removeStructuredMasks } from '../../../src/api.js';
import { exportOnnx } from '../../../src/exporters/onnx/index.js';
import { compileTrainingGraph, OrtTrainerStep } from '../../../src/autodiff/index.js';
import { CompressionStage, createCompressedModel, refreshNodeInputs, spliceCompressionNodes } from '../../../src/compression/index.js';
import { NNCFConfig } from '../../../src/config/index.js';
import { initBackend } from '../../../src/engine/index.js';
import { OrtSession } from '../../../src/runtime/index.js';
import { meanSquaredError } from '../../../src/training/index.js';
import { relativeError } from '../../autodiff/helpers.js';
import { transformerEncoder } from '../../helpers/models.js';
import { seededRandom } from '../../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});
afterEach(() => vi.restoreAllMocks());

const SHAPE = [2, 4, 16];
const tiny = () => transformerEncoder({ batch: 2, seq: 4, dModel: 16, heads: 2, ff: 32, layers: 1 });
const PARAMS = { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 0.5, steps_per_epoch: 2 };

async function build(extra: object = {}, params: object = {}) {
  const cfg = NNCFConfig.fromObject({ input_info: { sample_size: SHAPE }, compression: { algorithm: 'movement_sparsity', params: { ...PARAMS, ...params }, ...extra } });
  const r = await createCompressedModel(tiny().graph, cfg);
  return { ...r, ctrl: r.controller as MovementSparsityController };
}

const data = (seed: number) => {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: 2 * 4 * 16 }, () => rnd() * 2 - 1);
};
const layer = (c: MovementSparsityController, short: string) => c.sparsifiers.find((s) => s.name === `layers.0.${short}/MatMul`)!;

describe('movement_sparsity on a transformer encoder', () => {
  it('finds the attention group (Q, K, V rows and the output columns by heads of 8) and the FFN group', async () => {
    const { ctrl } = await build();
    expect(ctrl.groups.map((g) => [g.kind, g.block, g.members.map((m) => `${m.layer.split('.')[2]}:${m.byRow ? 'rows' : 'cols'}`)])).toEqual([
      ['attention', 8, ['q/MatMul:rows', 'k/MatMul:rows', 'v/MatMul:rows', 'out/MatMul:cols']],
      ['ffn', 1, ['ff1/MatMul:rows', 'ff2/MatMul:cols']],
    ]);
  });

  it('a per_dim layer along the other axis leaves its group out, with a warning (NNCF)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { ctrl } = await build({ sparse_structure_by_scopes: [{ mode: 'per_dim', axis: 1, target_scopes: '{re}\\.q/' }] });
    expect(ctrl.groups.map((g) => g.kind)).toEqual(['ffn']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('attention group [layers.0.q/MatMul, layers.0.k/MatMul, layers.0.v/MatMul, layers.0.out/MatMul]: "layers.0.q/MatMul" is per_dim along axis 1'));
  });

  it('MovementMask node form on ORT: loss, weight and score gradients equal the engine; frozen, the scores get none', async () => {
    const { model, ctrl } = await build({ sparse_structure_by_scopes: [{ mode: 'block', sparse_factors: [4, 4], target_scopes: '{re}ff' }] });
    const rnd = seededRandom(5);
    for (const m of ctrl.sparsifiers.flatMap((s) => s.masks)) m.importance.assign(tf.tidy(() => tf.tensor(Float32Array.from({ length: m.importance.size }, () => rnd() - 0.3), m.importance.shape)));
    ctrl.setImportanceThresholdAndFactor(0, 0.5);
    const x = data(1), t = data(2);
    const spliced = spliceCompressionNodes(model.graph, model.commands());
    const step = await OrtTrainerStep.create(compileTrainingGraph(spliced.graph, { ...spliced.compileOptions, loss: { task: 'mse' } }), { threads: 1 });
    const scores = ctrl.sparsifiers.flatMap((s) => s.masks.map((m) => m.importance));
    const vars = [...model.trainableVariables(), ...scores];
    const compare = async () => {
      const xt = tf.tensor(x, SHAPE), tt = tf.tensor(t, SHAPE);
      const { value, grads } = tf.variableGrads(() => meanSquaredError(model.run({ input: xt }, { training: true }).hidden, tt), vars);
      refreshNodeInputs(spliced.feeds, step);
      const r = await step.step({ data: x, shape: SHAPE }, { data: t, shape: SHAPE });
      expect(Math.abs(r.loss - value.dataSync()[0])).toBeLessThan(1e-5);
      const weights = new Map(model.engine.weights().map((w) => [w.variable.name, w]));
      const out: Record<string, number> = {};
      for (const v of vars) {
        const w = weights.get(v.name);
        const m = ctrl.sparsifiers.flatMap((s) => s.masks).find((mm) => mm.importance === v);
        const name = w ? w.name : `${m!.inputName}_importance`;
        const eg = grads[v.name] ?? tf.zerosLike(v);
        const onnx = w?.perm ? tf.transpose(eg, w.perm.map((_, i) => w.perm!.indexOf(i))) : eg.clone();
        const ort = r.gradients.get(name);
        if (m && !ort) out[name] = 0;
        else {
          expect(relativeError(ort!, onnx.dataSync() as Float32Array), name).toBeLessThan(1e-4);
          if (m) out[name] = Math.max(...Array.from(ort!).map(Math.abs));
        }
        onnx.dispose();
        if (!grads[v.name]) eg.dispose();
      }
      tf.dispose([value, xt, tt, ...vars.map((v) => grads[v.name])].filter((g) => g !== undefined));
      return out;
    };
    const live = await compare();
    expect(Object.keys(live).length).toBe(12); // 6 weights + 6 biases scored
    expect(Math.min(...Object.values(live))).toBeGreaterThan(0);
    ctrl.freeze();
    const frozen = await compare();
    expect(Math.max(...Object.values(frozen))).toBe(0);
    await step.release();
  }, 120_000);

  it('through warm-up: structured masks remove whole heads / FFN channels; export on ORT = masked engine (1e-4)', async () => {
    const { model, ctrl } = await build();
    const set = (short: string, f: (r: number, c: number) => number, bias?: (r: number) => number) => {
      const s = layer(ctrl, short);
      const [out, inp] = s.layer.shape;
      s.weight.importance.assign(tf.tensor(Float32Array.from({ length: out * inp }, (_, i) => f(Math.floor(i / inp), i % inp)), [out, inp]));
      if (bias) s.bias!.importance.assign(tf.tensor(Float32Array.from({ length: out }, (_, r) => bias(r)), [out]));
      else s.bias!.importance.assign(tf.ones([out]));
    };
    const head1 = (r: number) => (r >= 8 ? -1 : 1);
    set('q', (r, c) => (r === 0 && c === 3 ? -1 : head1(r)), head1); // one fine zero inside the kept head 0
    set('k', (r) => head1(r), head1);
    set('v', (r) => head1(r), head1);
    set('out', (_, c) => head1(c));
    const ch = (j: number) => (j === 0 || j === 5 ? -1 : 1);
    set('ff1', (r) => ch(r), ch);
    set('ff2', (_, c) => ch(c));
    const xt = tf.tensor(data(3), SHAPE);
    const forward = () => tf.dispose(model.run({ input: xt }, { training: true }));
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 3; epoch++) {
      ctrl.scheduler.epochStep();
      for (let i = 0; i < 2; i++) {
        ctrl.scheduler.step();
        if (epoch === 1 && i === 1) {
          // last warm-up step: init threshold = smallest score (−1), t = −1 + (1 − 0.5³)·(0 − (−1)) = −0.125
          expect(ctrl.importanceThreshold).toBeCloseTo(-0.125, 12);
          expect(ctrl.importanceRegularizationFactor).toBeCloseTo(0.5 * 0.875, 12);
          expect(ctrl.compressionStage()).toBe(CompressionStage.PARTIALLY_COMPRESSED);
        }
        forward();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(ctrl.sparsifiers.every((s) => s.frozen)).toBe(true);
    expect(ctrl.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
    const rows = (short: string) => {
      const s = layer(ctrl, short);
      const m = torchMask(s.weight);
      const [out, inp] = s.layer.shape;
      return Array.from({ length: out }, (_, r) => Array.from(m.slice(r * inp, (r + 1) * inp)));
    };
    for (const short of ['q', 'k', 'v']) {
      expect(rows(short).map((r) => r.every((v) => v === 1) ? 1 : r.every((v) => v === 0) ? 0 : -1), short).toEqual([...new Array(8).fill(1), ...new Array(8).fill(0)]);
      expect(Array.from(torchMask(layer(ctrl, short).bias!))).toEqual([...new Array(8).fill(1), ...new Array(8).fill(0)]);
    }
    expect(rows('out').every((r) => r.join() === [...new Array(8).fill(1), ...new Array(8).fill(0)].join())).toBe(true);
    expect(Array.from(torchMask(layer(ctrl, 'out').bias!))).toEqual(new Array(16).fill(1));
    expect(rows('ff1').map((r, j) => r.every((v) => v === (ch(j) > 0 ? 1 : 0)))).toEqual(new Array(32).fill(true));
    expect(Array.from(torchMask(layer(ctrl, 'ff1').bias!))).toEqual(Array.from({ length: 32 }, (_, j) => (ch(j) > 0 ? 1 : 0)));
    expect(rows('ff2').every((r) => r.every((v, j) => v === (ch(j) > 0 ? 1 : 0)))).toBe(true);
    // zeros: Q/K/V 3·(8·16 + 8), out 16·8, ff1 2·16 + 2, ff2 16·2, of 4·(256 + 16) + (512 + 32) + (512 + 16)
    const s = ctrl.statistics();
    expect(s.values.sparsity_level_for_layers).toBeCloseTo(602 / 2160, 12);
    expect(ctrl.structuredReport!.map((r) => [r.layer.split('.')[2], r.prunedWeightShape, r.prunedBiasShape, r.keptUnits.length])).toEqual([
      ['q/MatMul', [8, 16], [8], 1], ['k/MatMul', [8, 16], [8], 1], ['v/MatMul', [8, 16], [8], 1], ['out/MatMul', [16, 8], [16], 1],
      ['ff1/MatMul', [30, 16], [30], 30], ['ff2/MatMul', [16, 30], [16], 30],
    ]);
    expect(s.toString()).toContain('Structured masks');
    // the scores move no more: the masks are the structured ones in evaluation and export
    const y = model.run({ input: xt }).hidden;
    const engine = Array.from(y.dataSync());
    const bytes = exportCompressedModelBytes({ model, controller: ctrl });
    expect(new TextDecoder('latin1').decode(bytes)).not.toContain('MovementMask');
    const sess = await OrtSession.create(bytes);
    const ort = await sess.run({ input: { dtype: 'float32', shape: SHAPE, data: xt.dataSync() as Float32Array } });
    let err = 0;
    Array.from(ort.hidden.data as Float32Array).forEach((v, i) => (err = Math.max(err, Math.abs(v - engine[i]))));
    expect(err).toBeLessThan(1e-4);
    await sess.release?.();
    // --remove-structured: head 1 and FFN channels 0, 5 physically gone, same outputs on ORT
    removeStructuredMasks(ctrl);
    const small = exportGraph({ model, controller: ctrl });
    const dims = (n: string) => small.initializers.get(n)!.dims;
    expect([dims('layers.0.q.weight'), dims('layers.0.q.bias'), dims('layers.0.v.weight'), dims('layers.0.out.weight'), dims('layers.0.out.bias')]).toEqual([[16, 8], [8], [16, 8], [8, 16], [16]]);
    expect([dims('layers.0.ff1.weight'), dims('layers.0.ff1.bias'), dims('layers.0.ff2.weight')]).toEqual([[16, 30], [30], [30, 16]]);
    const smallBytes = exportOnnx(small);
    expect(smallBytes.length).toBeLessThan(bytes.length - 4 * (3 * 136 + 128 + 66) + 200);
    const sess2 = await OrtSession.create(smallBytes);
    const ort2 = await sess2.run({ input: { dtype: 'float32', shape: SHAPE, data: xt.dataSync() as Float32Array } });
    err = 0;
    Array.from(ort2.hidden.data as Float32Array).forEach((v, i) => (err = Math.max(err, Math.abs(v - engine[i]))));
    expect(err).toBeLessThan(1e-4);
    await sess2.release?.();
    tf.dispose([xt, y]);
  }, 120_000);

  it('--remove-structured errors: no movement section, structured masking off, masks not resolved yet', async () => {
    const off = await build({}, { enable_structured_masking: false });
    expect(() => removeStructuredMasks(off.ctrl)).toThrow(/enable_structured_masking is false/);
    const early = await build();
    removeStructuredMasks(early.ctrl);
    expect(() => exportGraph({ model: early.model, controller: early.ctrl })).toThrow(/--remove-structured: the structured masks are not resolved yet/);
    const cfg = NNCFConfig.fromObject({ input_info: { sample_size: SHAPE }, compression: { algorithm: 'magnitude_sparsity' } });
    const mag = await createCompressedModel(tiny().graph, cfg);
    expect(() => removeStructuredMasks(mag.controller)).toThrow(/--remove-structured applies to movement_sparsity/);
  });

  it('controller state: scheduler position, frozen layers and the threshold survive a JSON round trip', async () => {
    const a = await build({}, { enable_structured_masking: false, init_importance_threshold: -0.5 });
    a.ctrl.scheduler.epochStep();
    a.ctrl.scheduler.step();
    a.ctrl.scheduler.step();
    a.ctrl.scheduler.epochStep();
    a.ctrl.scheduler.step();
    a.ctrl.sparsifiers[2].freeze();
    const b = await build({}, { enable_structured_masking: false, init_importance_threshold: -0.5 });
    b.ctrl.loadState(JSON.parse(JSON.stringify(a.ctrl.getState())));
    expect(b.ctrl.scheduler.currentStep).toBe(2);
    expect(b.ctrl.importanceThreshold).toBe(-0.5);
    expect(b.ctrl.sparsifiers.map((s) => s.frozen)).toEqual([false, false, true, false, false, false]);
    b.ctrl.scheduler.step();
    a.ctrl.scheduler.step();
    expect(b.ctrl.importanceThreshold).toBe(a.ctrl.importanceThreshold);
    expect(b.ctrl.importanceThreshold).toBeCloseTo(-0.5 + 0.5 * (1 - 0.5 ** 3), 12);
  });
});

describe('plan with movement_sparsity (issue 13 item 9)', () => {
  it('state per record: importance_threshold (−∞ as a string), importance_regularization_factor, levels, stage; layers and groups described', async () => {
    const { buildPlan } = await import('../../../src/report/plan/index.js');
    const { renderPlan } = await import('../../../src/report/plan/plan-text.js');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cfg = NNCFConfig.fromObject({ input_info: { sample_size: SHAPE }, compression: { algorithm: 'movement_sparsity', params: { ...PARAMS, init_importance_threshold: -1, power: 2 } } });
    const plan = await buildPlan(tiny().graph, cfg, { epochs: 3, stepsPerEpoch: 2 });
    const states: Record<string, unknown>[] = plan.schedule.map((r) => ({ epoch: r.epoch, step: r.step, ...r.algorithms.movement_sparsity }));
    const at = (epoch: number, step: number) => states.find((s) => s.epoch === epoch && s.step === step)!;
    expect(at(0, 0).importance_threshold).toBe('-Infinity');
    expect(at(0, 0).stage).toBe('UNCOMPRESSED');
    // warm-up epoch 1: p = 0, then 0.5 → threshold −(1 − p)², λ 0.5·(1 − (1 − p)²)
    expect([at(1, 0).importance_threshold, at(1, 1).importance_threshold]).toEqual([-1, -0.25]);
    expect([at(1, 0).importance_regularization_factor, at(1, 1).importance_regularization_factor]).toEqual([0, 0.375]);
    expect(at(2, 0)).toMatchObject({ importance_threshold: 0, importance_regularization_factor: 0.5, stage: 'FULLY_COMPRESSED' });
    expect(typeof at(2, 0).sparsity_level_for_layers).toBe('number');
    const d = plan.algorithms[0] as unknown as { sparsified_layers: unknown[]; structured_groups: { kind: string }[] };
    expect(d.sparsified_layers.length).toBe(6);
    expect(d.structured_groups.map((g) => g.kind)).toEqual(['attention', 'ffn']);
    expect(renderPlan(plan)).toContain('threshold -0.2500, λ 0.3750');
    expect(JSON.parse(JSON.stringify(plan)).schedule.length).toBe(plan.schedule.length);
    warn.mockRestore();
  }, 120_000);
});
