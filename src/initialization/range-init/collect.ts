/**
 * Range statistics for a set of quantizers (spec/algorithms.md §2): per-quantizer range config
 * (global / per-layer entries / scope override), collectors fed batch by batch, weights read directly.
 */
import type { CompressedModel, RangeTarget } from '../../compression/index.js';
import {
  createRangeCollector,
  initBatchCount,
  parseRangeInitParams,
  rangeInitConfigFor,
  weightRangeStatistic,
  type RangeCollector,
  type RangeInitConfig,
  type RangeStatistic,
} from '../range/index.js';
import { type InitDataLoader } from '../init-data.js';
import { startProgress } from '../progress.js';
import { engineTensorBatches, ortTensorBatches, type StatisticsBackend, type TensorBatch } from './sources.js';


export interface CollectOptions {
  /** `initializer.range` as written (object, array or absent). */
  rangeSection: unknown;
  loader: InitDataLoader | null;
  /** 'auto' (default): onnxruntime-node, falling back to the engine if ORT cannot run the graph. */
  backend?: 'auto' | StatisticsBackend;
  maxStoredValues?: number;
  seed?: number;
}

export interface CollectResult {
  stats: Map<string, RangeStatistic>;
  backend: StatisticsBackend | null;
  batches: number;
}

export function targetRangeConfig(params: ReturnType<typeof parseRangeInitParams>, t: RangeTarget): RangeInitConfig {
  const ov = t.initializerOverride as { range?: unknown } | undefined;
  if (ov && ov.range !== undefined) {
    const p = parseRangeInitParams(ov.range, `scope_overrides.${t.group}.${t.scope}.initializer.range`);
    return rangeInitConfigFor(p, t.scope, t.group);
  }
  return rangeInitConfigFor(params, t.scope, t.group);
}

/** Collects the statistic of every target. Activations need `loader` unless every config asks for 0 samples. */
export async function collectRangeStatistics(model: CompressedModel, targets: RangeTarget[], o: CollectOptions): Promise<CollectResult> {
  const params = parseRangeInitParams(o.rangeSection);
  const stats = new Map<string, RangeStatistic>();
  const configs = new Map(targets.map((t) => [t.id, targetRangeConfig(params, t)]));
  const common = { maxStoredValues: o.maxStoredValues, seed: o.seed };
  for (const t of targets) {
    if (!t.weight) continue;
    const c = configs.get(t.id)!;
    if (c.numInitSamples === 0) continue;
    stats.set(t.id, weightRangeStatistic({ type: c.type, mode: t.mode, channelAxis: t.channelAxis, params: c.params, ...common }, t.weight.values, t.weight.dims));
  }
  const acts = targets.filter((t) => !t.weight && configs.get(t.id)!.numInitSamples > 0);
  if (acts.length === 0) return { stats, backend: null, batches: 0 };
  if (!o.loader) throw new Error('range initialization needs data (QuantizationRangeInitArgs / initDataset) for activation quantizers');
  const loader = o.loader;
  const batches = Math.max(...acts.map((t) => initBatchCount(configs.get(t.id)!.numInitSamples, loader.batchSize)));
  const order = executionOrder(model.graph);
  const build = () => {
    const collectors = new Map<string, RangeCollector>();
    // (tensor, collector) per insertion point, in the order a forward pass reaches the points
    const points: { name: string; col: RangeCollector }[] = [];
    for (const t of acts) {
      const c = configs.get(t.id)!;
      // NNCF hangs the collector on the quantizer module, which runs once per insertion point: every
      // point's tensor is one registered input, and the limit ceil(num_init_samples / batch_size)
      // counts registrations — a quantizer with two points fills up after half the batches.
      const maxBatches = initBatchCount(c.numInitSamples, loader.batchSize);
      const col = createRangeCollector({ type: c.type, isWeights: false, mode: t.mode, channelAxis: t.channelAxis, params: c.params, maxBatches, ...common });
      collectors.set(t.id, col);
      for (const name of t.tensors ?? []) points.push({ name, col });
    }
    points.sort((a, b) => order(a.name) - order(b.name));
    return { collectors, points };
  };
  let { collectors, points } = build();
  const names = [...new Set(points.map((p) => p.name))];
  const feed = async (source: AsyncGenerator<TensorBatch>, on: string) => {
    const progress = startProgress(`Statistics collection (${on})`, batches, 'batches');
    try {
      for await (const batch of source) {
        for (const { name, col } of points) {
          const td = batch.get(name);
          if (!td) throw new Error(`range initialization: tensor "${name}" was not produced`);
          if (!col.isFull) col.register(td.data, td.shape);
        }
        progress.tick();
      }
    } finally {
      progress.done();
    }
  };
  let backend: StatisticsBackend = o.backend === 'engine' ? 'engine' : 'ort';
  if (backend === 'ort') {
    try {
      await feed(ortTensorBatches(model.graph, loader, names, batches), 'onnxruntime');
    } catch (e) {
      if (o.backend === 'ort' || !isRuntimeFailure(e)) throw e;
      backend = 'engine';
      ({ collectors, points } = build());
    }
  }
  if (backend === 'engine') await feed(engineTensorBatches(model, loader, names, batches), 'engine');
  for (const [id, col] of collectors) stats.set(id, col.statistic());
  return { stats, backend, batches };
}

/** Rank of a tensor in a forward pass: graph inputs and constants first, then by producing node (stable sort keeps ties in point order). */
function executionOrder(graph: CompressedModel['graph']): (tensor: string) => number {
  const rank = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => rank.set(o, i)));
  return (tensor) => rank.get(tensor) ?? -1;
}

function isRuntimeFailure(e: unknown): boolean {
  return e instanceof Error && e.name === 'RuntimeError';
}
