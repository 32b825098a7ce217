import { describe, expect, it } from 'vitest';
import { placeQuantizers, QuantizationPlacementError } from '../../src/algorithms/quantization/placement/index.js';
import { ScopeError } from '../../src/graph/index.js';
import { HardwareConfigError } from '../../src/hardware/index.js';
import { concatNet, resnetBlock } from './placement-models.js';

describe('placement: bad configurations give errors that name the option', () => {
  it('preset with NPU (and its VPU alias)', () => {
    expect(() => placeQuantizers(resnetBlock(), { targetDevice: 'NPU', preset: 'performance' })).toThrow(
      'The NPU target device does not support presets (quantization.preset).',
    );
    expect(() => placeQuantizers(resnetBlock(), { targetDevice: 'VPU', preset: 'mixed' })).toThrow(QuantizationPlacementError);
  });

  it('unknown preset, overflow_fix value, target device; CPU_SPR', () => {
    expect(() => placeQuantizers(resnetBlock(), { preset: 'fast' as never })).toThrow(/quantization.preset must be "performance" or "mixed", got "fast"/);
    expect(() => placeQuantizers(resnetBlock(), { overflowFix: 'on' as never })).toThrow(/overflow_fix must be one of enable, disable, first_layer_only, got "on"/);
    expect(() => placeQuantizers(resnetBlock(), { targetDevice: 'TPU' })).toThrow(HardwareConfigError);
    expect(() => placeQuantizers(resnetBlock(), { targetDevice: 'CPU_SPR' })).toThrow(/CPU_SPR is not supported/);
  });

  it('activation constraints the device forbids', () => {
    expect(() => placeQuantizers(concatNet(), { targetDevice: 'CPU', activations: { perChannel: true } })).toThrow(
      /quantization\.activations: "per_channel": true is incompatible with HW capabilities of target_device CPU for "a_conv" \(Convolution\)/,
    );
    expect(() => placeQuantizers(resnetBlock(), { targetDevice: 'GPU', activations: { bits: 4 } })).toThrow(/"bits": 4/);
    expect(() => placeQuantizers(resnetBlock(), { targetDevice: 'CPU', scopeOverrides: { weights: { conv2: { bits: 2 } } } })).toThrow(
      /quantization\.weights: "bits": 2 .* for "conv2"/,
    );
  });

  it('validate_scopes: unmatched patterns at algorithm and group level are listed; false only reports them', () => {
    expect(() => placeQuantizers(resnetBlock(), { ignoredScopes: ['conv9', 'conv1', '{re}^nothing'] })).toThrow(
      /quantization: ignored_scopes patterns that match no node: \["conv9","\{re\}\^nothing"\]/,
    );
    expect(() => placeQuantizers(resnetBlock(), { weights: { targetScopes: ['conv1/weight'] } })).toThrow(ScopeError);
    expect(() => placeQuantizers(resnetBlock(), { activations: { targetScopes: ['relu'] } })).toThrow(/quantization.activations: target_scopes/);
    const r = placeQuantizers(resnetBlock(), { ignoredScopes: ['conv9'], validateScopes: false });
    expect(r.unmatchedScopes).toEqual(['conv9']);
    expect(r.quantizers).toHaveLength(10);
  });

  it('unified_scale_ops: unknown op and overlapping groups', () => {
    expect(() => placeQuantizers(resnetBlock(), { activations: { unifiedScaleOps: [['add', 'nope']] } })).toThrow(
      /no match for linked quantizer entry "nope" among activation quantizers/,
    );
    expect(() => placeQuantizers(resnetBlock(), { activations: { unifiedScaleOps: [['add'], ['conv3', 'add']] } })).toThrow(/groups 0 and 1 overlap at "add"/);
  });

  it('NPU unified elementwise inputs cannot be per-channel', () => {
    expect(() => placeQuantizers(resnetBlock(), { targetDevice: 'NPU', scopeOverrides: { activations: { add: { perChannel: true } } } })).toThrow(
      /per_channel|unified scales/,
    );
  });
});
