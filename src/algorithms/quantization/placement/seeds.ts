import { METATYPES, scopeOf, type Graph } from '../../../graph/index.js';
import {
  allowedQConfigs,
  applyConstraints,
  constrainQConfigs,
  qconfigKey,
  type QuantizerConfig,
} from '../../../hardware/index.js';
import { DEFAULT_QUANTIZER_CONFIG, QuantizationPlacementError } from './options.js';
import { scopedConstraints, type ResolvedSettings } from './settings.js';
import { PropagationState } from './state.js';
import { resolveAttrsMode, type UnitGraph } from './units.js';

/**
 * Pass 3 — initial activation quantizers (NNCF `setup_initial_quantizers`): one on every activation
 * input of every input-quantizable op that is not ignored, with the configs the HW config allows there
 * ∩ the group constraints ∩ matching scope overrides. Inputs of a `scales: unified` op share one scale
 * (per-tensor only); `unified_scale_ops` links more; `quantize_outputs` adds one per model output.
 */
export function seedActivationQuantizers(graph: Graph, ug: UnitGraph, s: ResolvedSettings): PropagationState {
  const state = new PropagationState();
  for (const unit of ug.units) {
    if (unit.ignored || unit.trait !== 'inputs_quantizable' || unit.inputs.length === 0) continue;
    const scope = scopeOf(unit.first);
    let configs = activationConfigs(s, METATYPES[unit.metatype].hwConfigNames, scope, resolveAttrsMode(unit.first));
    const { initializer } = scopedConstraints(s, 'activations', scope);
    if (unit.unifiedScales) {
      // NNCF drops per-channel options for unified scales (shapes could differ between branches).
      configs = configs.filter((q) => !q.perChannel);
      if (configs.length === 0)
        throw new QuantizationPlacementError(`"${scope}": unified scales support only per-tensor activation quantizers, and per_channel: true leaves none`);
    }
    let primary: ReturnType<PropagationState['add']> | undefined;
    for (const { node, port, tensor } of unit.inputs) {
      const pq = state.add([...configs], { kind: 'input', tensor, consumer: node.name, port }, [scope], initializer);
      if (primary && unit.unifiedScales) state.unify(primary, pq);
      primary ??= pq;
    }
  }
  linkUserUnifiedGroups(state, s.unifiedScaleOps);
  if (s.quantizeOutputs)
    for (const out of graph.outputs) {
      const configs = activationConfigs(s, undefined, out.name, {});
      state.add(configs, { kind: 'input', tensor: out.name, consumer: out.name, port: 0, graphOutput: true }, [out.name]);
    }
  return state;
}

/** Allowed configs for an op's inputs; `hwNames` undefined means a model-output sink. */
function activationConfigs(s: ResolvedSettings, hwNames: readonly string[] | undefined, scope: string, attrs: { mode?: string }): QuantizerConfig[] {
  const { c } = scopedConstraints(s, 'activations', scope);
  const listed = s.hw && hwNames ? allowedQConfigs(s.hw, hwNames, 'activations', attrs) : undefined;
  // Wildcard (listed without configs) → NNCF's unconstrained default config.
  if (listed !== undefined && listed.length === 0) return [{ ...DEFAULT_QUANTIZER_CONFIG }];
  const base = listed ?? s.defaultActivationConfigs;
  if (s.hw)
    return constrainQConfigs(base, c, { group: 'activations', targetDevice: s.targetDevice, location: scope, hwOp: hwNames?.join('/') });
  const seen = new Set<string>();
  return base.map((q) => applyConstraints(q, c)).filter((q) => !seen.has(qconfigKey(q)) && !!seen.add(qconfigKey(q)));
}

/** `activations.unified_scale_ops`: the initial quantizers on inputs of the listed ops share one scale. */
function linkUserUnifiedGroups(state: PropagationState, groups: readonly string[][] | undefined): void {
  if (!groups) return;
  const owner = new Map<number, number>();
  groups.forEach((names, gi) => {
    const members = [];
    for (const name of names) {
      const found = state.pqs.filter((p) => p.pos.kind === 'input' && p.pos.consumer === name && !('graphOutput' in p.pos && p.pos.graphOutput));
      if (found.length === 0)
        throw new QuantizationPlacementError(`activations.unified_scale_ops: no match for linked quantizer entry "${name}" among activation quantizers`);
      for (const p of found) {
        const prev = owner.get(p.id);
        if (prev !== undefined && prev !== gi)
          throw new QuantizationPlacementError(`activations.unified_scale_ops: groups ${prev} and ${gi} overlap at "${name}"`);
        owner.set(p.id, gi);
        members.push(p);
      }
    }
    for (const m of members.slice(1)) state.unify(members[0], m);
  });
}
