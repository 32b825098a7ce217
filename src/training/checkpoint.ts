/**
 * Trainer checkpoints: every weight (running statistics included, in the engine's storage layout),
 * the controllers' compression variables, the optimizer slots, the LR policy, the trainer position and
 * the compression state (NNCF's builder_state + ctrl_state), in one atomically written file.
 * Resume: read it, rebuild the model with `createCompressedModel(graph, config, {compressionState})`,
 * construct the Trainer the same way, then `trainer.restore(ckpt)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressionState } from '../compression/index.js';
import { encodeCheckpoint, readCheckpointFile, writeCheckpointFile, type StoredTensor } from './checkpoint-file.js';
import { CheckpointError } from './errors.js';
import type { SlotState } from './optimizers/index.js';
import type { CheckpointMeta } from './trainer-state.js';
import { leafControllers } from './controllers.js';
import type { Trainer } from './trainer.js';

export interface LoadedCheckpoint {
  path: string;
  meta: CheckpointMeta;
  tensors: Map<string, StoredTensor>;
  /** Pass to createCompressedModel when rebuilding the model for resume. */
  compressionState?: CompressionState;
}

const host = (v: tf.Tensor): StoredTensor => ({ shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) });

function compressionVariables(t: Trainer): tf.Variable[] {
  return leafControllers(t.o.controller).flatMap(([c]) => c.compressionVariables());
}

export function saveTrainerCheckpoint(t: Trainer, path: string): void {
  const tensors = new Map<string, StoredTensor>();
  const weights = t.o.model.engine.weights();
  for (const w of weights) tensors.set(`w:${w.name}`, host(w.variable));
  const cvs = compressionVariables(t);
  cvs.forEach((v, i) => tensors.set(`cv:${i}`, host(v)));
  const opt = t.optimizer.getState();
  const slotShapes: Record<string, Record<number, { shape: number[] }>> = {};
  for (const [name, m] of Object.entries(opt.slots)) {
    slotShapes[name] = {};
    for (const [i, s] of Object.entries(m)) {
      slotShapes[name][Number(i)] = { shape: s.shape };
      tensors.set(`opt:${name}:${i}`, s);
    }
  }
  const meta: CheckpointMeta = {
    format: 'nncf-ts-training-checkpoint',
    position: { ...t.position },
    seed: t.o.settings.seed,
    batchSize: t.o.settings.batchSize,
    weights: weights.map((w) => w.name),
    compressionVariables: cvs.length,
    optimizer: { ...opt, slots: slotShapes },
    stagedLr: t.stagedLr && { ...t.stagedLr.state },
    plateau: t.plateau && { ...t.plateau.state },
    best: { ...t.best },
    history: t.history,
    compressionState: t.o.getCompressionState?.(),
  };
  writeCheckpointFile(path, encodeCheckpoint(meta, tensors));
}

export function readTrainingCheckpoint(path: string): LoadedCheckpoint {
  const { meta, tensors } = readCheckpointFile(path);
  const m = meta as CheckpointMeta;
  if (m?.format !== 'nncf-ts-training-checkpoint') throw new CheckpointError(`${path} is not a training checkpoint`);
  return { path, meta: m, tensors, compressionState: m.compressionState };
}

function tensorOf(ckpt: LoadedCheckpoint, key: string, shape: readonly number[], what: string): StoredTensor {
  const s = ckpt.tensors.get(key);
  if (!s) throw new CheckpointError(`${ckpt.path}: no value for ${what}`);
  if (s.shape.join() !== shape.join()) throw new CheckpointError(`${ckpt.path}: ${what} has shape [${s.shape}] but the model has [${shape}]`);
  return s;
}

function assign(v: tf.Variable, s: StoredTensor): void {
  const t = tf.tensor(s.data, s.shape, 'float32');
  v.assign(t);
  t.dispose();
}

export function restoreTrainer(t: Trainer, ckpt: LoadedCheckpoint): void {
  const m = ckpt.meta;
  if (m.seed !== t.o.settings.seed || m.batchSize !== t.o.settings.batchSize)
    throw new CheckpointError(
      `${ckpt.path} was written with seed ${m.seed} and batch size ${m.batchSize}; this run uses seed ${t.o.settings.seed} and batch size ${t.o.settings.batchSize} (an exact resume needs the same)`,
    );
  const weights = t.o.model.engine.weights();
  const names = new Set(weights.map((w) => w.name));
  const missing = m.weights.filter((n) => !names.has(n));
  if (missing.length || m.weights.length !== weights.length)
    throw new CheckpointError(`${ckpt.path} is for another model (weights differ${missing.length ? `, e.g. "${missing[0]}"` : ''})`);
  for (const w of weights) assign(w.variable, tensorOf(ckpt, `w:${w.name}`, w.variable.shape, `weight "${w.name}"`));
  const cvs = compressionVariables(t);
  if (cvs.length !== m.compressionVariables)
    throw new CheckpointError(`${ckpt.path} holds ${m.compressionVariables} compression variables, the model has ${cvs.length}`);
  cvs.forEach((v, i) => assign(v, tensorOf(ckpt, `cv:${i}`, v.shape, `compression variable ${i}`)));
  const slots: Record<string, Record<number, SlotState>> = {};
  for (const [name, mm] of Object.entries(m.optimizer.slots)) {
    slots[name] = {};
    for (const [i, s] of Object.entries(mm)) slots[name][Number(i)] = tensorOf(ckpt, `opt:${name}:${i}`, s.shape, `optimizer slot ${name}[${i}]`);
  }
  t.optimizer.loadState({ ...m.optimizer, slots });
  if (t.stagedLr && m.stagedLr) t.stagedLr.state = { ...m.stagedLr };
  if (t.plateau && m.plateau) t.plateau.state = { ...m.plateau };
  t.position = { ...m.position };
  t.best = { ...m.best };
  t.history = [...m.history];
}
