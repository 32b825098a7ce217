/** Builds the same training job on either engine for the ORT-vs-tfjs trainer tests. */
import { createCompressedModel } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { Trainer, readTrainingCheckpoint, taskLoss, trainingSettings, type TaskLoss, type TrainerOptions, type TrainingEngineName } from '../../src/training/index.js';
import { seededRandom } from '../helpers/onnx-builder.js';

export interface Job {
  graph: () => Graph;
  config: object;
  train: Dataset;
  engine?: TrainingEngineName;
  loss?: TaskLoss;
  options?: Partial<TrainerOptions>;
  /** A checkpoint to resume from (the model is rebuilt from its compression state, as `train --resume`). */
  resume?: string;
}

export async function makeJob(j: Job) {
  const graph = j.graph();
  const sample = graph.inputs[0].shape!.map((d, i) => (i === 0 ? 1 : (d as number)));
  const config = NNCFConfig.fromObject({ input_info: { sample_size: sample }, ...j.config });
  const ckpt = j.resume ? readTrainingCheckpoint(j.resume) : undefined;
  const created = await createCompressedModel(graph, config, { initDataset: j.train, compressionState: ckpt?.compressionState });
  const lines: string[] = [];
  const trainer = new Trainer({
    model: created.model,
    controller: created.controller,
    train: j.train,
    settings: trainingSettings(config),
    config,
    loss: j.loss ?? taskLoss('cross_entropy', graph.outputs[0].name),
    engine: j.engine,
    threads: 1,
    log: (l) => lines.push(l),
    getCompressionState: created.getCompressionState,
    ...j.options,
  });
  if (ckpt) trainer.restore(ckpt);
  return { trainer, created, lines };
}

/** Every engine weight (running statistics included) and compression variable, by name. */
export function weightsOf(job: Awaited<ReturnType<typeof makeJob>>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const w of job.created.model.engine.weights()) out[w.name] = Array.from(w.variable.dataSync());
  job.created.controller.compressionVariables().forEach((v, i) => (out[`cv${i}`] = Array.from(v.dataSync())));
  return out;
}

/** Worst per-tensor norm-wise relative difference ‖a − b‖ / max(‖b‖, 1e-3) over every weight, and the worst element. */
export function maxRelDiff(a: Record<string, number[]>, b: Record<string, number[]>): { diff: number; where: string; element: number } {
  let diff = 0;
  let where = '';
  let element = 0;
  for (const k of Object.keys(b)) {
    if (!a[k] || a[k].length !== b[k].length) return { diff: Infinity, where: k, element: Infinity };
    let d2 = 0;
    let r2 = 0;
    b[k].forEach((v, i) => {
      d2 += (a[k][i] - v) ** 2;
      r2 += v * v;
      element = Math.max(element, Math.abs(a[k][i] - v) / Math.max(1, Math.abs(v)));
    });
    const d = Math.sqrt(d2) / Math.max(Math.sqrt(r2), 1e-3);
    if (d > diff) [diff, where] = [d, k];
  }
  return { diff, where, element };
}

/** Seeded inputs in [-1, 1) with class ids, for models without a data set. */
export function randomDataset(graph: Graph, n: number, classes: number, seed: number): Dataset {
  const rnd = seededRandom(seed);
  const per = graph.inputs[0].shape!.slice(1).reduce<number>((p, d) => p * (d as number), 1);
  const x = Float32Array.from({ length: n * per }, () => rnd() * 2 - 1);
  const y = Int32Array.from({ length: n }, () => Math.floor(rnd() * classes));
  return new Dataset({ dtype: 'float32', shape: [n, ...graph.inputs[0].shape!.slice(1).map(Number)], data: x }, { dtype: 'int32', shape: [n], data: y });
}
