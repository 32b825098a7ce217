/** Models exported with a fixed batch (e.g. [1,3,224,224]) are calibrated with that batch size. */
import type { TensorInfo } from '../graph/index.js';

/** The batch size to feed `input`: its fixed batch dimension when it has one, else `requested`; `note` says when they differ. */
export function batchSizeForModel(input: TensorInfo, requested: number): { batchSize: number; note?: string } {
  const dim = input.shape?.[0];
  if (typeof dim !== 'number' || dim < 1 || dim === requested) return { batchSize: requested };
  return {
    batchSize: dim,
    note: `the model's input "${input.name}" has a fixed batch of ${dim} ([${input.shape!.join(',')}]): ` +
      `initialization data is fed ${dim} sample${dim === 1 ? '' : 's'} at a time instead of --batch-size ${requested}`,
  };
}
