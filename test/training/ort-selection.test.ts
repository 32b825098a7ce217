/**
 * Engine selection and cross-engine checkpoints: ORT by default when it can run the job, else the tfjs
 * engine with one log line naming what is missing; an explicit 'ort' that cannot be honoured is an error
 * naming it; a checkpoint written by either engine resumes on the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { softmaxCrossEntropy, TrainingConfigError } from '../../src/training/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { digits, digitsCnn } from './helpers.js';
import { makeJob, maxRelDiff, weightsOf } from './ort-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-ort-sel-'));
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Conv → PRelu → Flatten → Gemm: PRelu has no gradient rule in autodiff/. */
function preluNet() {
  const b = new OnnxBuilder({ opset: 13, seed: 2, name: 'prelu_net' });
  const x = b.input('input', ['N', 1, 8, 8]);
  const c = b.node('Conv', [x, b.randomWeight('conv.weight', [2, 1, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv/Conv' });
  const p = b.node('PRelu', [c, b.uniform('prelu.slope', [2, 1, 1], 0.1, 0.3)], {}, { name: 'act/PRelu' });
  const f = b.node('Flatten', [p], { axis: 1 }, { name: 'flatten/Flatten' });
  b.output(b.node('Gemm', [f, b.randomWeight('fc.weight', [10, 128])], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] }), ['N', 10]);
  return b.toGraph();
}

const SGD = { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9 }, weight_decay: 1e-4, schedule_type: 'multistep', steps: [1], gamma: 0.5 };

describe('engine selection', () => {
  it('default: ORT when every op has a rule, no log line', async () => {
    const j = await makeJob({ graph: () => digitsCnn().graph, train: await digits(64), config: { batch_size: 32 } });
    expect(j.trainer.engine).toBe('ort');
    expect(j.lines).toEqual([]);
  });

  it('an op without a gradient rule: the tfjs engine with one line naming the op; explicit ort is an error naming it', async () => {
    const train = await digits(64);
    const j = await makeJob({ graph: preluNet, train, config: { batch_size: 32 } });
    expect(j.trainer.engine).toBe('tfjs');
    expect(j.lines).toEqual(['training on the tfjs engine: no gradient rule for PRelu (node "act/PRelu")']);
    await j.trainer.fit(); // and it trains there
    expect(j.trainer.history[0].loss).toBeGreaterThan(0);
    const err = await makeJob({ graph: preluNet, train, config: { batch_size: 32 }, engine: 'ort' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TrainingConfigError);
    expect((err as Error).message).toBe('engine: ort cannot train this model: no gradient rule for PRelu (node "act/PRelu")');
  });

  it('an insertion command without a node form, a plain function loss: fallback lines naming them; bad engine and threads values', async () => {
    const train = await digits(64);
    const graph = digitsCnn().graph;
    const j = await makeJob({ graph: () => graph, train, config: { batch_size: 32 }, engine: 'tfjs' });
    j.created.model.apply({ point: { kind: 'tensor', name: 'logits' }, fn: (x) => tf.mul(x, 1), owner: 'test_mask' });
    const again = await makeJob({ graph: () => graph, train, config: { batch_size: 32 }, options: { model: j.created.model } });
    expect(again.trainer.engine).toBe('tfjs');
    expect(again.lines).toEqual(['training on the tfjs engine: insertion commands without a graph-node form (owners: test_mask)']);
    await expect(makeJob({ graph: () => graph, train, config: {}, engine: 'ort', options: { model: j.created.model } })).rejects.toThrow(
      'engine: ort cannot train this model: insertion commands without a graph-node form (owners: test_mask)',
    );
    const plain = await makeJob({ graph: () => digitsCnn().graph, train, config: {}, loss: (o, y) => softmaxCrossEntropy(o.logits, y!) });
    expect(plain.trainer.engine).toBe('tfjs');
    expect(plain.lines[0]).toMatch(/^training on the tfjs engine: the task loss is a plain function/);
    await expect(makeJob({ graph: () => digitsCnn().graph, train, config: {}, engine: 'gpu' as 'ort' })).rejects.toThrow('engine: must be "ort" or "tfjs", got "gpu"');
    await expect(makeJob({ graph: () => digitsCnn().graph, train, config: {}, options: { threads: 0 } })).rejects.toThrow('threads: must be a positive integer, got 0');
  });
});

describe('checkpoints across engines', () => {
  const config = { batch_size: 32, epochs: 2, seed: 4, optimizer: SGD, compression: [{ algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2 }] };
  for (const [first, second] of [['ort', 'tfjs'], ['tfjs', 'ort']] as const)
    it(`epoch 1 on ${first}, checkpoint, epoch 2 resumed on ${second} = 2 epochs on ${second} (within 1e-3), same checkpoint format`, async () => {
      const train = await digits(160);
      const ckptDir = join(dir, `${first}-${second}`);
      const a = await makeJob({ graph: () => digitsCnn().graph, train, config: { ...config, epochs: 1 }, engine: first, options: { checkpointDir: ckptDir } });
      await a.trainer.fit();
      const b = await makeJob({ graph: () => digitsCnn().graph, train, config, engine: second, resume: join(ckptDir, 'last.ckpt') });
      expect(b.trainer.position).toMatchObject({ epoch: 1, batch: 0 });
      await b.trainer.fit();
      const ref = await makeJob({ graph: () => digitsCnn().graph, train, config, engine: second });
      await ref.trainer.fit();
      const d = maxRelDiff(weightsOf(b), weightsOf(ref));
      console.log(`${first} → ${second}: worst tensor ${d.diff.toExponential(2)}, worst element ${d.element.toExponential(2)}`);
      expect(d.diff).toBeLessThan(1e-3);
      expect(b.trainer.history.map((h) => h.epoch)).toEqual([0, 1]);
      expect(Math.abs(b.trainer.history[1].loss - ref.trainer.history[1].loss)).toBeLessThan(1e-4);
    }, 120_000);
});
