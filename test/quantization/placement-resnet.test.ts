import { describe, expect, it } from 'vitest';
import { placeQuantizers } from '../../src/algorithms/quantization/placement/index.js';
import { activationIds, byId, cfg, unifiedGroups, weightIds } from './placement-helpers.js';
import { resnetBlock } from './placement-models.js';

/*
 * ResNet-style block: [conv1+bn1+relu1] → maxpool → { [conv2+bn2+relu2] → [conv3+bn3] , identity } → [add+relu3] → gap → flatten → fc.
 * By hand (NNCF rules): weights on conv1, conv2, conv3, fc. Activations: model input (conv1); relu1 output —
 * conv2's and add's quantizers meet at maxpool's output (branch, both quantized) and merge, then pass up
 * through the agnostic maxpool; relu2 output (conv3); bn3 output (add port 0, conv3+bn3 is fused);
 * relu3 output (gap is input-quantizable); gap output (flatten is agnostic, fc's quantizer climbs to gap).
 */
const ALL_W = ['conv1|WEIGHT', 'conv2|WEIGHT', 'conv3|WEIGHT', 'fc|WEIGHT'];
const ALL_A = ['bn3|OUTPUT', 'gap|OUTPUT', 'relu1|OUTPUT', 'relu2|OUTPUT', 'relu3|OUTPUT', 'x|OUTPUT'];

describe('placement: ResNet-style block', () => {
  it('ANY (defaults): 4 weight + 6 activation quantizers at the hand-derived places', () => {
    const r = placeQuantizers(resnetBlock());
    expect(weightIds(r)).toEqual(ALL_W);
    expect(activationIds(r)).toEqual(ALL_A);
    expect(byId(r, 'relu1|OUTPUT').quantizedNodes.sort()).toEqual(['add', 'conv2']);
    expect(byId(r, 'relu1|OUTPUT').points).toEqual([{ kind: 'output', tensor: 'relu1', producer: 'relu1' }]);
    // Weights: per-channel (HW lists perchannel first), signed forced, 8-bit; overflow fix on by default on ANY → half range, no narrow range.
    for (const id of ALL_W) expect(cfg(byId(r, id))).toBe('8/s/pc/+/-/hr');
    expect(byId(r, 'conv1|WEIGHT').channelAxis).toBe(0);
    expect(byId(r, 'conv1|WEIGHT').points).toEqual([{ kind: 'weight', node: 'conv1', port: 1, tensor: 'conv1.weight' }]);
    // Activations: performance preset → symmetric, per-tensor, signedness from statistics.
    for (const id of ALL_A) expect(cfg(byId(r, id))).toBe('8/s/pt/?/-/-');
    expect(r.fusedPatterns.map((f) => f.pattern)).toEqual([
      'LINEAR_BATCH_NORM_ACTIVATIONS', 'LINEAR_BATCH_NORM_ACTIVATIONS', 'LINEAR_BATCH_NORM', 'ARITHMETIC_ACTIVATIONS',
    ]);
  });

  it('overflow_fix: disable → narrow range; GPU never half range; first_layer_only → only conv1', () => {
    const off = placeQuantizers(resnetBlock(), { targetDevice: 'CPU', overflowFix: 'disable' });
    for (const id of ALL_W) expect(cfg(byId(off, id))).toBe('8/s/pc/+/nr/-');
    const gpu = placeQuantizers(resnetBlock(), { targetDevice: 'GPU' });
    for (const id of ALL_W) expect(cfg(byId(gpu, id))).toBe('8/s/pc/+/nr/-');
    expect(activationIds(gpu)).toEqual(ALL_A);
    const first = placeQuantizers(resnetBlock(), { targetDevice: 'CPU', overflowFix: 'first_layer_only' });
    expect(ALL_W.filter((id) => byId(first, id).halfRange)).toEqual(['conv1|WEIGHT']);
  });

  it('TRIAL: no HW config → default 8-bit symmetric per-tensor weights with statistics-decided sign', () => {
    const r = placeQuantizers(resnetBlock(), { targetDevice: 'TRIAL' });
    expect(weightIds(r)).toEqual(ALL_W);
    expect(activationIds(r)).toEqual(ALL_A);
    for (const id of ALL_W) expect(cfg(byId(r, id))).toBe('8/s/pt/?/nr/-');
    const asym = placeQuantizers(resnetBlock(), { targetDevice: 'TRIAL', preset: 'mixed', weights: { bits: 4 } });
    expect(cfg(byId(asym, 'relu1|OUTPUT'))).toBe('8/a/pt/?/-/-');
    expect(cfg(byId(asym, 'conv1|WEIGHT'))).toBe('4/s/pt/?/-/-');
  });

  it('preset mixed → asymmetric activations, symmetric weights; explicit group mode beats the preset', () => {
    const r = placeQuantizers(resnetBlock(), { targetDevice: 'CPU', preset: 'mixed', overflowFix: 'disable' });
    for (const id of ALL_A) expect(cfg(byId(r, id))).toBe('8/a/pt/?/-/-');
    for (const id of ALL_W) expect(cfg(byId(r, id))).toBe('8/s/pc/+/nr/-');
    const explicit = placeQuantizers(resnetBlock(), { preset: 'mixed', activations: { mode: 'symmetric' }, weights: { perChannel: false } });
    expect(cfg(byId(explicit, 'relu2|OUTPUT'))).toBe('8/s/pt/?/-/-');
    expect(cfg(byId(explicit, 'conv2|WEIGHT'))).toBe('8/s/pt/+/-/hr');
  });

  it('quantize_inputs: false drops the model-input quantizer; quantize_outputs: true adds one on fc', () => {
    expect(activationIds(placeQuantizers(resnetBlock(), { quantizeInputs: false }))).toEqual(ALL_A.filter((id) => id !== 'x|OUTPUT'));
    const out = placeQuantizers(resnetBlock(), { quantizeOutputs: true });
    expect(activationIds(out)).toEqual([...ALL_A, 'fc|OUTPUT'].sort());
    expect(byId(out, 'fc|OUTPUT').quantizedNodes).toEqual(['fc']);
  });

  it('ignored_scopes: conv2 loses its weight quantizer and its input; add keeps a pre-hook quantizer since the branch is FP32', () => {
    const r = placeQuantizers(resnetBlock(), { ignoredScopes: ['conv2'] });
    expect(weightIds(r)).toEqual(['conv1|WEIGHT', 'conv3|WEIGHT', 'fc|WEIGHT']);
    expect(activationIds(r)).toEqual(['add|INPUT1', 'bn3|OUTPUT', 'gap|OUTPUT', 'relu2|OUTPUT', 'relu3|OUTPUT', 'x|OUTPUT']);
    expect(byId(r, 'add|INPUT1').points).toEqual([{ kind: 'input', tensor: 'maxpool', consumer: 'add', port: 1 }]);
  });

  it('group-level scopes: weights ignored by regex keep activations; activations target_scopes: [] quantizes no activation', () => {
    const r = placeQuantizers(resnetBlock(), { weights: { ignoredScopes: ['{re}conv[23]'] } });
    expect(weightIds(r)).toEqual(['conv1|WEIGHT', 'fc|WEIGHT']);
    expect(activationIds(r)).toEqual(ALL_A);
    const none = placeQuantizers(resnetBlock(), { activations: { targetScopes: [] } });
    expect(activationIds(none)).toEqual([]);
    expect(weightIds(none)).toEqual(ALL_W);
  });

  it('scope_overrides: an asymmetric add cannot merge with conv2 under the symmetric preset → both stay on their branches', () => {
    const r = placeQuantizers(resnetBlock(), {
      targetDevice: 'CPU',
      overflowFix: 'disable',
      scopeOverrides: { activations: { add: { mode: 'asymmetric' } }, weights: { '{re}^fc$': { perChannel: false, bits: 16 } } },
    });
    expect(activationIds(r)).toEqual(['add|INPUT1', 'bn3|OUTPUT', 'conv2|INPUT0', 'gap|OUTPUT', 'relu2|OUTPUT', 'relu3|OUTPUT', 'x|OUTPUT']);
    expect(cfg(byId(r, 'add|INPUT1'))).toBe('8/a/pt/?/-/-');
    expect(cfg(byId(r, 'bn3|OUTPUT'))).toBe('8/a/pt/?/-/-');
    expect(cfg(byId(r, 'conv2|INPUT0'))).toBe('8/s/pt/?/-/-');
    expect(cfg(byId(r, 'fc|WEIGHT'))).toBe('16/s/pt/+/-/-');
    expect(cfg(byId(r, 'conv1|WEIGHT'))).toBe('8/s/pc/+/nr/-');
  });

  it('scope_overrides on NPU (no preset constraint): the merged quantizer takes the intersection, asymmetric', () => {
    const r = placeQuantizers(resnetBlock(), { targetDevice: 'NPU', scopeOverrides: { activations: { '{re}^add$': { mode: 'asymmetric' } } } });
    // NPU unifies Add inputs: the merged quantizer above maxpool and bn3's output are one quantizer (id of the first).
    expect(unifiedGroups(r)).toEqual([['bn3|OUTPUT', 'relu1|OUTPUT']]);
    expect(activationIds(r)).toEqual(ALL_A.filter((id) => id !== 'relu1|OUTPUT'));
    expect(cfg(byId(r, 'bn3|OUTPUT'))).toBe('8/a/pt/?/-/-');
    expect(byId(r, 'bn3|OUTPUT').allowedConfigs.map((q) => `${q.bits}${q.mode[0]}`)).toEqual(['8a', '16a']);
    expect(cfg(byId(r, 'relu2|OUTPUT'))).toBe('8/s/pt/?/-/-');
    expect(cfg(byId(r, 'conv1|WEIGHT'))).toBe('8/s/pc/+/nr/-');
  });

  it('unified_scale_ops links the inputs of add: one quantizer, two points', () => {
    const r = placeQuantizers(resnetBlock(), { activations: { unifiedScaleOps: [['add']] } });
    expect(unifiedGroups(r)).toEqual([['bn3|OUTPUT', 'relu1|OUTPUT']]);
    expect(r.quantizers.filter((q) => q.kind === 'activation')).toHaveLength(5);
  });
});
