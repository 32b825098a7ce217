/**
 * Which layers (with a constant weight, or a MatMul of two activations) a quantization build leaves
 * (partly) in float, and the rule that kept them:
 * an ignored_scopes pattern (algorithm- or group-level), a target_scopes list that does not name
 * them, or placement itself (the hardware config or the propagation put no quantizer there).
 */
import type { ResolvedQuantization, ScopePatterns } from '../../config/index.js';
import {
  effectiveGroupScopes,
  matchesScope,
  metatypeOf,
  scopeList,
  scopeOf,
  weightOf,
  type Graph,
} from '../../graph/index.js';

/** What the plan needs of a placed quantizer (QuantizerSpec's fields). */
export interface PlacedLike {
  id: string;
  kind: 'weight' | 'activation';
  points: readonly { kind: string; node?: string }[];
  quantizedNodes: readonly string[];
}

export interface KeptFloatLayer {
  layer: string;
  op: string;
  metatype: string;
  /** The weight quantizer id, or null when the weight stays float. */
  weight_quantizer: string | null;
  /** Activation quantizers feeding the layer's inputs (empty when its inputs stay float). */
  input_quantizers: string[];
  reason: string;
}

type Group = 'weights' | 'activations';

/** The config rule that excludes `scope` from `group`, or null when scopes allow it. */
function scopeRule(section: ResolvedQuantization, group: Group, scope: string): string | null {
  const g = section[group] as { ignored_scopes?: ScopePatterns; target_scopes?: ScopePatterns };
  for (const [key, list] of [
    [`quantization.${group}.ignored_scopes`, g.ignored_scopes],
    ['quantization.ignored_scopes', section.ignored_scopes],
  ] as const) {
    const hit = scopeList(list as ScopePatterns | undefined)?.find((p) => matchesScope(scope, p));
    if (hit !== undefined) return `${key} "${hit}"`;
  }
  const filter = effectiveGroupScopes(
    { targetScopes: section.target_scopes as ScopePatterns | undefined },
    { targetScopes: g.target_scopes as ScopePatterns | undefined },
  );
  const target = scopeList(filter.targetScopes);
  if (target && !target.some((p) => matchesScope(scope, p)))
    return `not in ${g.target_scopes !== undefined ? `quantization.${group}` : 'quantization'}.target_scopes`;
  return null;
}

export function keptFloatLayers(
  graph: Graph,
  placed: readonly PlacedLike[],
  section: ResolvedQuantization,
  device: string,
): KeptFloatLayer[] {
  const out: KeptFloatLayer[] = [];
  for (const node of graph.nodes) {
    const metatype = metatypeOf(graph, node);
    const weighted = weightOf(graph, node, metatype) !== undefined;
    if (!weighted && metatype !== 'MatMul') continue; // layers: a constant weight, or a product of two activations
    const scope = scopeOf(node);
    const weight = placed.find(
      (q) => q.kind === 'weight' && q.points.some((p) => p.kind === 'weight' && p.node === node.name),
    );
    const inputs = placed
      .filter((q) => q.kind === 'activation' && q.quantizedNodes.includes(scope))
      .map((q) => q.id);
    if ((weight || !weighted) && inputs.length > 0) continue;
    const reasons: string[] = [];
    const placement = `placement put no quantizer there (target_device ${device}, metatype ${metatype})`;
    if (weighted && !weight) reasons.push(`weight: ${scopeRule(section, 'weights', scope) ?? placement}`);
    if (inputs.length === 0) reasons.push(`input: ${scopeRule(section, 'activations', scope) ?? placement}`);
    out.push({
      layer: scope,
      op: node.opType,
      metatype,
      weight_quantizer: weight?.id ?? null,
      input_quantizers: inputs,
      reason: reasons.join('; '),
    });
  }
  return out;
}
