/**
 * Data for initialization (range init, BN adaptation): NNCF's data loaders attached to the config as
 * extra structs. A loader is a Dataset (batch size DEFAULT_INIT_BATCH_SIZE) or `{ dataset, batchSize }`.
 * Batches come out as float32 feeds of the model's single data input, shape-checked against it.
 */
import { DataError, fitToSampleShape, toFloat32, type Dataset, type NdArray } from '../data/index.js';
import type { Graph } from '../graph/index.js';

export const DEFAULT_INIT_BATCH_SIZE = 32;

export interface InitDataLoader {
  dataset: Dataset;
  batchSize: number;
  /** Where activation statistics are computed: 'auto' (default: onnxruntime-node, engine as fallback), 'ort' or 'engine'. */
  statisticsBackend?: 'auto' | 'ort' | 'engine';
}

export class InitializationError extends Error {
  override name = 'InitializationError';
}

function isDataset(v: unknown): v is Dataset {
  const d = v as Dataset;
  return typeof v === 'object' && v !== null && typeof d.batches === 'function' && typeof d.length === 'number' && d.x !== undefined;
}

/** The loader inside an extra struct (`dataLoader`), or null when there is none. */
export function asInitLoader(v: unknown, where: string): InitDataLoader | null {
  if (v === undefined || v === null) return null;
  if (isDataset(v)) return { dataset: v, batchSize: DEFAULT_INIT_BATCH_SIZE };
  const o = v as Partial<InitDataLoader>;
  if (typeof v === 'object' && isDataset(o.dataset)) {
    const bs = o.batchSize ?? DEFAULT_INIT_BATCH_SIZE;
    if (!Number.isInteger(bs) || bs < 1) throw new InitializationError(`${where}: batch size must be a positive integer, got ${bs}`);
    return { dataset: o.dataset, batchSize: bs, statisticsBackend: o.statisticsBackend };
  }
  throw new InitializationError(`${where}: the data loader must be a Dataset or { dataset, batchSize }`);
}

/** The one non-constant graph input that data feeds. */
export function dataInput(graph: Graph): Graph['inputs'][number] {
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (inputs.length !== 1) {
    throw new InitializationError(`initialization data feeds one model input; the model has ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);
  }
  return inputs[0];
}

/** Checks that the dataset's samples fit the model input (clear error otherwise). */
export function checkDataFits(graph: Graph, loader: InitDataLoader): void {
  const input = dataInput(graph);
  const sample = (input.shape ?? []).slice(1);
  fitToSampleShape({ ...loader.dataset.x, shape: [loader.dataset.length, ...loader.dataset.sampleShape] }, sample, `initialization data for input "${input.name}"`);
}

/**
 * At most `count` batches in dataset order: one pass, stopping early when the data is shorter (NNCF's
 * init runners enumerate the loader once and break at the step count; a short loader gives fewer steps).
 */
export function* initBatches(graph: Graph, loader: InitDataLoader, count: number): Generator<{ name: string; x: NdArray<'float32'> }> {
  const input = dataInput(graph);
  const sample = (input.shape ?? []).slice(1);
  if (loader.dataset.length === 0) throw new InitializationError('initialization data is empty');
  let done = 0;
  for (const b of loader.dataset.batches(loader.batchSize)) {
    if (done === count) return;
    let x: NdArray<'float32'>;
    try {
      x = fitToSampleShape(toFloat32(b.x), sample, `initialization data for input "${input.name}"`);
    } catch (e) {
      throw e instanceof DataError ? new InitializationError(e.message) : e;
    }
    yield { name: input.name, x };
    done++;
  }
}
