import { repeatMap } from '../channel-map.js';
import type { PropagationContext, PruningTrait } from './trait.js';

/**
 * Flatten (and Reshape to N×(C·H·W)) repeats each channel's mask H·W times (NNCF FlattenPruningOp), so
 * the following linear layer drops the matching input features; a Reshape that keeps the shape passes
 * masks as is; any other reshape mixes channels and blocks the producers.
 */
function spatial(ctx: PropagationContext): number | undefined {
  const shape = ctx.graph.tensor(ctx.node.inputs[0])?.shape;
  if (!shape || shape.length < 2) return undefined;
  let n = 1;
  for (const d of shape.slice(2)) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

function flattenLike(ctx: PropagationContext): boolean {
  const inShape = ctx.graph.tensor(ctx.node.inputs[0])?.shape;
  const outShape = ctx.graph.tensor(ctx.node.outputs[0])?.shape;
  if (!inShape || !outShape) return false;
  if (ctx.node.opType === 'Flatten') {
    const axis = ctx.node.attributes.axis;
    return (axis?.type === 'int' ? Number(axis.value) : 1) === 1;
  }
  const sp = spatial(ctx);
  return outShape.length === 2 && sp !== undefined && typeof inShape[1] === 'number' && outShape[1] === inShape[1] * sp;
}

/** Channels stay on axis 1 and only unit dims come or go (e.g. N×C → N×C×1×1): masks pass as is. */
function sameShape(ctx: PropagationContext): boolean {
  const a = ctx.graph.tensor(ctx.node.inputs[0])?.shape;
  const b = ctx.graph.tensor(ctx.node.outputs[0])?.shape;
  if (!a || !b || a.length < 2 || b.length < 2 || typeof a[1] !== 'number' || a[1] !== b[1]) return false;
  const rest = (s: typeof a) => s.slice(2).filter((d) => d !== 1);
  return rest(a).length === 0 && rest(b).length === 0 ? true : a.length === b.length && a.every((d, i) => i === 0 || d === b[i]);
}

export const FLATTEN: PruningTrait = {
  family: 'flatten',
  acceptPrunedInput: () => true,
  propagate(ctx) {
    const m = ctx.inputs[0];
    if (!m) return null;
    if (ctx.node.opType === 'Reshape' && sameShape(ctx)) return m;
    const sp = spatial(ctx);
    if (!flattenLike(ctx) || sp === undefined) {
      ctx.conflict([m], `${ctx.node.opType} "${ctx.node.name}" mixes channels with other dimensions`);
      return null;
    }
    return repeatMap(m, sp);
  },
};
