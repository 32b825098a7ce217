import { concatMaps, emptyMap } from '../channel-map.js';
import type { PruningTrait } from './trait.js';

/**
 * Concat along channels maps each input's mask to its slice of the output (NNCF ConcatPruningOp); an
 * input no pruned filter reaches fills its slice with kept channels.
 */
export const CONCAT: PruningTrait = {
  family: 'concat',
  acceptPrunedInput: () => true,
  propagate(ctx) {
    const axis = ctx.node.attributes.axis;
    const a = axis?.type === 'int' ? Number(axis.value) : 1;
    const rank = ctx.graph.tensor(ctx.node.outputs[0])?.shape?.length;
    const onChannels = a === 1 || (rank !== undefined && a + rank === 1);
    if (ctx.inputs.every((m) => m === null)) return null;
    if (!onChannels) {
      ctx.conflict(ctx.inputs, `Concat "${ctx.node.name}" joins along axis ${a}, not channels`);
      return null;
    }
    const parts = ctx.node.inputs.map((t, i) => {
      const m = ctx.inputs[i];
      if (m) return m;
      const c = ctx.channels(t);
      if (c === undefined) return undefined;
      return emptyMap(c);
    });
    if (parts.some((p) => p === undefined)) {
      ctx.conflict(ctx.inputs, `Concat "${ctx.node.name}" has an input of unknown channel count`);
      return null;
    }
    return concatMaps(parts as NonNullable<(typeof parts)[number]>[]);
  },
};
