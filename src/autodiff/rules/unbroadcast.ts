/** Sums a gradient of a broadcast result back to the shape of one operand (numpy broadcasting rules). */
import type { Dim } from '../../graph/types.js';
import { AutodiffError } from '../errors.js';
import type { GraphEmitter } from '../emitter.js';

export function unbroadcast(
  emit: GraphEmitter,
  grad: string,
  gradShape: Dim[],
  target: Dim[],
  base: string,
): string {
  const lead = gradShape.length - target.length;
  const axes: number[] = [];
  for (let i = 0; i < gradShape.length; i++) {
    if (i < lead) {
      axes.push(i);
      continue;
    }
    const t = target[i - lead];
    const g = gradShape[i];
    if (t === g) continue;
    if (t === 1) axes.push(i);
    else
      throw new AutodiffError(
        `${base}: cannot tell how [${target.join(', ')}] broadcasts to [${gradShape.join(', ')}] (dims must be known)`,
      );
  }
  if (axes.length === 0) return grad;
  const summed = emit.reduceSum(grad, axes, true, base);
  // keepdims leaves the leading broadcast axes as 1s: drop them to get the operand's rank.
  if (lead === 0) return summed;
  if (target.every((d) => typeof d === 'number')) return emit.reshape(summed, target as number[], base);
  return emit.op('Squeeze', [summed, emit.ints(axes.slice(0, lead))], {}, base);
}
