/** Builds the same training job on either engine for the ORT-vs-tfjs trainer tests. */
import { createCompressedModel } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { Trainer, taskLoss, trainingSettings, type TaskLoss, type TrainerOptions, type TrainingEngineName } from '../../src/training/index.js';
import { seededRandom } from '../helpers/onnx-builder.js';

export interface Job {
  graph: () => Graph;
  config: object;
  train: Dataset;
  engine?: TrainingEngineName;
  loss?: TaskLoss;
  options?: Partial<TrainerOptions>;
}

export async function makeJob(j: Job) {
  const graph = j.graph();
  const sample = graph.inputs[0].shape!.map((d, i) => (i === 0 ? 1 : (d as number)));
  const config = NNCFConfig.fromObject({ input_info: { sample_size: sample }, ...j.config });
  const created = await createCompressedModel(graph, config, { initDataset: j.train });
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
  return { trainer, created, lines };
}

/** Every engine weight (running statistics included) and compression variable, by name. */
export function weightsOf(job: Awaited<ReturnType<typeof makeJob>>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const w of job.created.model.engine.weights()) out[w.name] = Array.from(w.variable.dataSync());
  job.created.controller.compressionVariables().forEach((v, i) => (out[`cv${i}`] = Array.from(v.dataSync())));
  return out;
}

/** Largest |a − b| relative to max(1, |b|) over every value of every weight. */
export function maxRelDiff(a: Record<string, number[]>, b: Record<string, number[]>): { diff: number; where: string } {
  let diff = 0;
  let where = '';
  for (const k of Object.keys(b)) {
    if (!a[k] || a[k].length !== b[k].length) return { diff: Infinity, where: k };
    b[k].forEach((v, i) => {
      const d = Math.abs(a[k][i] - v) / Math.max(1, Math.abs(v));
      if (d > diff) [diff, where] = [d, `${k}[${i}]`];
    });
  }
  return { diff, where };
}

/** Seeded inputs in [-1, 1) with class ids, for models without a data set. */
export function randomDataset(graph: Graph, n: number, classes: number, seed: number): Dataset {
  const rnd = seededRandom(seed);
  const per = graph.inputs[0].shape!.slice(1).reduce<number>((p, d) => p * (d as number), 1);
  const x = Float32Array.from({ length: n * per }, () => rnd() * 2 - 1);
  const y = Int32Array.from({ length: n }, () => Math.floor(rnd() * classes));
  return new Dataset({ dtype: 'float32', shape: [n, ...graph.inputs[0].shape!.slice(1).map(Number)], data: x }, { dtype: 'int32', shape: [n], data: y });
}
