import type { GraphNode } from '../../../../graph/index.js';
import { CONCAT } from './concat.js';
import { ELEMENTWISE, ELEMENTWISE_OPS } from './elementwise.js';
import { FLATTEN } from './flatten.js';
import { IDENTITY, IDENTITY_OPS, PAD } from './identity.js';
import { LAYER } from './layer.js';
import { NORM, NORM_OPS } from './norm.js';
import { SHAPE, STOP } from './stop.js';
import type { PruningTrait } from './trait.js';

export type { PropagationContext, PruningTrait } from './trait.js';

const TABLE = new Map<string, PruningTrait>();
function register(opTypes: readonly string[], trait: PruningTrait): void {
  for (const op of opTypes) {
    if (TABLE.has(op)) throw new Error(`pruning trait for "${op}" is registered twice`);
    TABLE.set(op, trait);
  }
}
register(['Conv', 'ConvTranspose', 'Gemm', 'MatMul'], LAYER);
register(IDENTITY_OPS, IDENTITY);
register(['Pad'], PAD);
register(NORM_OPS, NORM);
register(ELEMENTWISE_OPS, ELEMENTWISE);
register(['Concat'], CONCAT);
register(['Flatten', 'Reshape'], FLATTEN);
register(['Shape', 'Size'], SHAPE);

/** The trait of a node; ops of other domains and ops not in the table stop masks. */
export function traitOf(node: GraphNode): PruningTrait {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return STOP;
  return TABLE.get(node.opType) ?? STOP;
}

export const GROUPING_OPS: readonly string[] = ELEMENTWISE_OPS;
export const IDENTITY_LIKE_OPS: readonly string[] = IDENTITY_OPS;
