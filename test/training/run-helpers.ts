/** Builds a compressed digits CNN + trainer the same way in every test and child process. */
import * as tf from '@tensorflow/tfjs-core';
import { createCompressedModel, type CompressionState } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Trainer, correctCount, readTrainingCheckpoint, softmaxCrossEntropy, trainingSettings, type TrainerOptions } from '../../src/training/index.js';
import { digits, digitsCnn } from './helpers.js';

export interface RunSpec {
  config: object;
  samples: number;
  checkpointDir?: string;
  checkpointEverySteps?: number;
  resume?: string;
  hooks?: Partial<TrainerOptions>;
}

export async function makeRun(spec: RunSpec) {
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, ...spec.config });
  const ckpt = spec.resume ? readTrainingCheckpoint(spec.resume) : undefined;
  const train = await digits(spec.samples);
  const { graph } = digitsCnn();
  const created = await createCompressedModel(graph, config, { initDataset: train, compressionState: ckpt?.compressionState as CompressionState | undefined });
  const trainer = new Trainer({
    model: created.model,
    controller: created.controller,
    train,
    settings: trainingSettings(config),
    loss: (o, y) => softmaxCrossEntropy(o.logits, y!),
    batchMetric: (o, y) => correctCount(o.logits, y!),
    config,
    checkpointDir: spec.checkpointDir,
    checkpointEverySteps: spec.checkpointEverySteps,
    getCompressionState: created.getCompressionState,
    ...spec.hooks,
  });
  if (ckpt) trainer.restore(ckpt);
  return { trainer, ...created, config, train };
}

/** All weights (running stats included) and compression variables, flattened in a fixed order. */
export function snapshot(run: Awaited<ReturnType<typeof makeRun>>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const w of run.model.engine.weights()) out[w.name] = Array.from(w.variable.dataSync());
  run.controller.compressionVariables().forEach((v, i) => (out[`cv${i}`] = Array.from(v.dataSync())));
  return out;
}

export function maxAbsDiff(a: Record<string, number[]>, b: Record<string, number[]>): number {
  let m = 0;
  for (const k of Object.keys(a)) a[k].forEach((v, i) => (m = Math.max(m, Math.abs(v - b[k][i]))));
  return m;
}

export { tf };
