import type { ChannelMap } from '../channel-map.js';
import type { PruningTrait } from './trait.js';

/**
 * Add/Sub/Mul/Div join their operands' channels, so the producers of both sides share one mask (they
 * are clustered together). A constant operand is fine (a per-channel one is sliced on export); an
 * operand carrying unpruned channels next to a pruned one, or maps that disagree, block the producers.
 */
export const ELEMENTWISE_OPS = ['Add', 'Sub', 'Mul', 'Div'] as const;

export const ELEMENTWISE: PruningTrait = {
  family: 'elementwise',
  acceptPrunedInput: () => true,
  propagate(ctx) {
    const live = ctx.node.inputs.map((t, i) => ({ t, m: ctx.inputs[i] })).filter(({ t }) => t !== '' && !ctx.graph.isConstant(t) && ctx.graph.producer(t)?.opType !== 'Constant');
    const maps = live.map((x) => x.m);
    const first = maps.find((m) => m !== null) ?? null;
    if (!first) return null;
    const consistent = maps.every((m) => {
      if (!m || m.source.length !== first.source.length) return false;
      for (let c = 0; c < m.index.length; c++) if (m.index[c] !== first.index[c] || (m.source[c] < 0) !== (first.source[c] < 0)) return false;
      return true;
    });
    if (!consistent) {
      ctx.conflict(maps, `${ctx.node.opType} "${ctx.node.name}" mixes channels that are not pruned alike`);
      return null;
    }
    ctx.join(maps as ChannelMap[]);
    return first;
  },
};
