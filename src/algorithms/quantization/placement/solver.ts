import { scopeList, scopeOf, validateScopes, type Graph } from '../../../graph/index.js';
import { finalizeActivationQuantizers } from './finalize.js';
import type { QuantizationPlacementOptions } from './options.js';
import { propagate } from './propagate.js';
import { seedActivationQuantizers } from './seeds.js';
import { resolveSettings } from './settings.js';
import type { PlacementResult } from './spec.js';
import { buildUnits } from './units.js';
import { convOutputQuantizersForOrt } from './ort-conv-outputs.js';
import { placeWeightQuantizers } from './weights.js';

/**
 * Quantizer placement: Graph + quantization options → quantizer descriptions. Passes:
 *  0. settings (device, preset, constraints, scopes) and validate_scopes;
 *  1. units (fused patterns, traits, ignored ops);
 *  2. weight quantizers;
 *  3. initial activation quantizers;
 *  4. propagation and merging;
 *  5. finalization (quantize_inputs, unified groups, config choice, ids);
 *  6. QDQ for ORT on CPU/ANY: quantizers on convolution outputs ORT needs to fuse QLinearConv.
 * The Graph is not modified.
 */
export function placeQuantizers(graph: Graph, options: QuantizationPlacementOptions = {}): PlacementResult {
  const s = resolveSettings(options);
  const unmatched = checkScopes(graph, options);
  const ug = buildUnits(graph, s);
  const weights = placeWeightQuantizers(graph, ug, s);
  const state = seedActivationQuantizers(graph, ug, s);
  // Embedding outputs are covered by their weight quantizers; propagate reports which, for callers that care.
  propagate(graph, ug, s, state);
  const activations = finalizeActivationQuantizers(graph, s, state);
  const forOrt = convOutputQuantizersForOrt(graph, ug, s, [...weights, ...activations]);
  return { quantizers: [...weights, ...activations, ...forOrt], fusedPatterns: ug.fused, unmatchedScopes: unmatched };
}

/** validate_scopes at algorithm and group level; names are node scopes and model-input names. */
function checkScopes(graph: Graph, o: QuantizationPlacementOptions): string[] {
  const names = [...graph.nodes.map(scopeOf), ...graph.inputs.map((i) => i.name)];
  const validate = o.validateScopes ?? true;
  const unmatched: string[] = [];
  const run = (filter: { ignoredScopes?: string | string[]; targetScopes?: string | string[] }, v: boolean, where: string) => {
    const un = validateScopes(names, { ignoredScopes: scopeList(filter.ignoredScopes), targetScopes: scopeList(filter.targetScopes) }, v, where);
    unmatched.push(...un.ignored, ...un.target);
  };
  run(o, validate, 'quantization');
  if (o.weights) run(o.weights, o.weights.validateScopes ?? validate, 'quantization.weights');
  if (o.activations) run(o.activations, o.activations.validateScopes ?? validate, 'quantization.activations');
  return unmatched;
}
