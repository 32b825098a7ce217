/**
 * Models exported with a fixed batch (e.g. [1,3,224,224], as PyTorch and Paddle exports often are) can
 * only be fed that many samples at a time: initialization (range statistics, BN adaptation, HAWQ
 * traces) reads the data in batches of the model's batch instead of the loader's, and says so once.
 */
import type { Graph, TensorInfo } from '../graph/index.js';
import { dataInput, type InitDataLoader } from './init-data.js';

/** The batch size to feed `input`: its fixed batch dimension when it has one, else `requested`; `note` says when they differ. */
export function batchSizeForModel(input: TensorInfo, requested: number, requestedAs = `batches of ${requested}`): { batchSize: number; note?: string } {
  const dim = input.shape?.[0];
  if (typeof dim !== 'number' || dim < 1 || dim === requested) return { batchSize: requested };
  return {
    batchSize: dim,
    note: `the model's input "${input.name}" has a fixed batch of ${dim} ([${input.shape!.join(',')}]): ` +
      `initialization data is fed ${dim} sample${dim === 1 ? '' : 's'} at a time instead of ${requestedAs}`,
  };
}

/** Where the fixed-batch note goes; one line per compressed model (a `told` key already told stays quiet). */
export interface BatchNotes {
  told: WeakSet<object>;
  say: (line: string) => void;
}

export function newBatchNotes(say: (line: string) => void = (l) => void process.stderr.write(`nncf-ts: ${l}\n`)): BatchNotes {
  return { told: new WeakSet(), say };
}

/** `loader` at the model's fixed batch (the same object when the batch already fits or is dynamic). */
export function atModelBatch(graph: Graph, loader: InitDataLoader, notes: BatchNotes, key: object): InitDataLoader {
  const { batchSize, note } = batchSizeForModel(dataInput(graph), loader.batchSize);
  if (batchSize === loader.batchSize) return loader;
  if (note && !notes.told.has(key)) {
    notes.told.add(key);
    notes.say(note);
  }
  return { ...loader, batchSize };
}
