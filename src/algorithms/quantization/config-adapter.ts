/**
 * The resolved `quantization` config section (config-reference §4) → the options of quantizer
 * placement (camelCase, its own interface). Keys mean exactly what they mean in NNCF; nothing is
 * defaulted here that the config layer or placement does not already default the NNCF way.
 */
import type { ResolvedQuantization, ScopeOverrideSection, ScopePatterns } from '../../config/index.js';
import type {
  ActivationGroupSettings,
  GroupSettings,
  QuantizationPlacementOptions,
  ScopeOverride,
} from './placement/index.js';

const scopes = (p: ScopePatterns | undefined): string | string[] | undefined =>
  p === undefined ? undefined : typeof p === 'string' ? p : [...p];

interface GroupSection {
  mode?: 'symmetric' | 'asymmetric';
  bits?: number;
  signed?: boolean;
  per_channel?: boolean;
  logarithm_scale?: boolean;
  ignored_scopes?: ScopePatterns;
  target_scopes?: ScopePatterns;
  validate_scopes?: boolean;
}

function group(g: GroupSection): GroupSettings {
  const out: GroupSettings = {};
  if (g.mode !== undefined) out.mode = g.mode;
  if (g.bits !== undefined) out.bits = g.bits;
  if (g.signed !== undefined) out.signed = g.signed;
  if (g.per_channel !== undefined) out.perChannel = g.per_channel;
  if (g.logarithm_scale !== undefined) out.logarithmScale = g.logarithm_scale;
  if (g.ignored_scopes !== undefined) out.ignoredScopes = scopes(g.ignored_scopes);
  if (g.target_scopes !== undefined) out.targetScopes = scopes(g.target_scopes);
  if (g.validate_scopes !== undefined) out.validateScopes = g.validate_scopes;
  return out;
}

function overrides(o: Readonly<Record<string, ScopeOverrideSection>> | undefined): Record<string, ScopeOverride> | undefined {
  if (!o) return undefined;
  const out: Record<string, ScopeOverride> = {};
  for (const [pattern, v] of Object.entries(o)) {
    const ov: ScopeOverride = {};
    if (v.mode !== undefined) ov.mode = v.mode;
    if (v.bits !== undefined) ov.bits = v.bits;
    if (v.signed !== undefined) ov.signed = v.signed;
    if (v.per_channel !== undefined) ov.perChannel = v.per_channel;
    if (v.initializer !== undefined) ov.initializer = v.initializer;
    out[pattern] = ov;
  }
  return out;
}

export function placementOptions(section: ResolvedQuantization, targetDevice: string): QuantizationPlacementOptions {
  const activations: ActivationGroupSettings = group(section.activations);
  if (section.activations.unified_scale_ops) activations.unifiedScaleOps = section.activations.unified_scale_ops.map((g) => [...g]);
  const o: QuantizationPlacementOptions = {
    targetDevice,
    weights: group(section.weights),
    activations,
    quantizeInputs: section.quantize_inputs,
    quantizeOutputs: section.quantize_outputs,
    overflowFix: section.overflow_fix,
    qdqForOrt: section.export_to_onnx_standard_ops === true,
    validateScopes: section.validate_scopes,
    scopeOverrides: { weights: overrides(section.scope_overrides.weights), activations: overrides(section.scope_overrides.activations) },
  };
  if (section.preset !== undefined) o.preset = section.preset;
  if (section.ignored_scopes !== undefined) o.ignoredScopes = scopes(section.ignored_scopes);
  if (section.target_scopes !== undefined) o.targetScopes = scopes(section.target_scopes);
  return o;
}
