import { describe, expect, it } from 'vitest';
import { placeQuantizers } from '../../src/algorithms/quantization/placement/index.js';
import { activationIds, byId, cfg, unifiedGroups, weightIds } from './placement-helpers.js';
import { concatNet, mobilenetV2, transformerEncoder } from './placement-models.js';

const count = (r: ReturnType<typeof placeQuantizers>, kind: 'weight' | 'activation') => r.quantizers.filter((q) => q.kind === kind).length;

describe('placement: MobileNetV2-style (Clip(0,6), depthwise, inverted residual)', () => {
  const W = ['b1_dw', 'b1_expand', 'b1_project', 'b2_dw', 'b2_expand', 'b2_project', 'fc', 'stem'].map((n) => `${n}|WEIGHT`);
  const A = [
    'b1_add|OUTPUT', 'b1_dw_clip|OUTPUT', 'b1_expand_clip|OUTPUT', 'b1_project_bn|OUTPUT', 'b2_dw_clip|OUTPUT',
    'b2_expand_clip|OUTPUT', 'b2_project_bn|OUTPUT', 'gap|OUTPUT', 'stem_clip|OUTPUT', 'x|OUTPUT',
  ];

  it('ANY: 8 weight and 10 activation quantizers; no quantizer inside conv+bn+clip; residual input merged', () => {
    const r = placeQuantizers(mobilenetV2());
    expect(weightIds(r)).toEqual(W);
    expect(activationIds(r)).toEqual(A);
    expect(byId(r, 'stem_clip|OUTPUT').quantizedNodes.sort()).toEqual(['b1_add', 'b1_expand']);
    // Depthwise inputs: the HW config lists per-channel first for DepthWiseConvolution activations.
    expect(cfg(byId(r, 'b1_expand_clip|OUTPUT'))).toBe('8/s/pc/?/-/-');
    expect(byId(r, 'b1_expand_clip|OUTPUT').channelAxis).toBe(1);
    expect(cfg(byId(r, 'b1_dw_clip|OUTPUT'))).toBe('8/s/pt/?/-/-');
    expect(cfg(byId(r, 'b1_dw|WEIGHT'))).toBe('8/s/pc/+/-/hr');
  });

  it('per_channel: false for activations makes depthwise inputs per-tensor', () => {
    const r = placeQuantizers(mobilenetV2(), { activations: { perChannel: false } });
    expect(r.quantizers.filter((q) => q.kind === 'activation' && q.perChannel)).toEqual([]);
  });

  it('NPU: Add inputs unified → one quantizer for stem_clip and b1_project_bn; no half range', () => {
    const r = placeQuantizers(mobilenetV2(), { targetDevice: 'NPU' });
    expect(unifiedGroups(r)).toEqual([['b1_project_bn|OUTPUT', 'stem_clip|OUTPUT']]);
    expect(count(r, 'activation')).toBe(9);
    expect(count(r, 'weight')).toBe(8);
    expect(cfg(byId(r, 'stem|WEIGHT'))).toBe('8/s/pc/+/nr/-');
    expect(r.quantizers.find((q) => q.points.length > 1)?.unifiedScaleGroup).toBe(0);
  });

  it('NPU allows 4-bit weights; CPU rejects them naming the option', () => {
    const r = placeQuantizers(mobilenetV2(), { targetDevice: 'NPU', weights: { bits: 4 } });
    expect(cfg(byId(r, 'b1_expand|WEIGHT'))).toBe('4/s/pc/?/-/-');
    expect(() => placeQuantizers(mobilenetV2(), { targetDevice: 'CPU', weights: { bits: 4 } })).toThrow(
      /quantization\.weights: "bits": 4 is incompatible with HW capabilities of target_device CPU for "stem" \(Convolution\); the device allows bits ∈ \{8, 16\}/,
    );
  });

  it('ignored depthwise conv (regex) drops its weight and input quantizers', () => {
    const r = placeQuantizers(mobilenetV2(), { ignoredScopes: ['{re}_dw$'] });
    expect(weightIds(r)).toEqual(W.filter((id) => !id.includes('_dw')));
    expect(activationIds(r)).toEqual(A.filter((id) => !id.includes('expand_clip')));
  });
});

describe('placement: transformer encoder block', () => {
  const A = [
    'context|OUTPUT', 'ffn2/Add|OUTPUT', 'gelu/Mul_1|OUTPUT', 'k/Add|OUTPUT', 'ln1|OUTPUT', 'o/Add|OUTPUT', 'q/Add|OUTPUT',
    'res1|OUTPUT', 'res2|OUTPUT', 'scores|OUTPUT', 'softmax|OUTPUT', 'v/Add|OUTPUT', 'x|OUTPUT',
  ];

  it('ANY: weights on the 6 linears; activations on both MatMul inputs (through reshape/transpose), Softmax output, LayerNorm inputs, residuals', () => {
    const r = placeQuantizers(transformerEncoder());
    expect(weightIds(r)).toEqual(['ffn1/MatMul', 'ffn2/MatMul', 'k/MatMul', 'o/MatMul', 'q/MatMul', 'v/MatMul'].map((n) => `${n}|WEIGHT`));
    expect(activationIds(r)).toEqual(A);
    expect(byId(r, 'x|OUTPUT').quantizedNodes.sort()).toEqual(['k/MatMul', 'q/MatMul', 'res1', 'v/MatMul']);
    expect(byId(r, 'q/MatMul|WEIGHT').channelAxis).toBe(1);
    // The Erf-form GELU is fused with ffn1: nothing between them, one quantizer after the GELU.
    expect(r.fusedPatterns.find((f) => f.nodes.includes('gelu/Erf'))?.pattern).toBe('LINEAR_ACTIVATIONS');
  });

  it('NPU: residual Add inputs are unified (two groups); 11 activation quantizer modules', () => {
    const r = placeQuantizers(transformerEncoder(), { targetDevice: 'NPU' });
    expect(unifiedGroups(r)).toEqual([
      ['o/Add|OUTPUT', 'x|OUTPUT'],
      ['ffn2/Add|OUTPUT', 'ln1|OUTPUT'],
    ]);
    expect(count(r, 'activation')).toBe(11);
  });

  it('GPU with the attention scores MatMul ignored: its inputs (q, k) are not quantized, its output still is (for the Div)', () => {
    const r = placeQuantizers(transformerEncoder(), { targetDevice: 'GPU', ignoredScopes: ['scores'] });
    expect(activationIds(r)).toEqual(A.filter((id) => id !== 'q/Add|OUTPUT' && id !== 'k/Add|OUTPUT'));
    expect(byId(r, 'scores|OUTPUT').quantizedNodes).toEqual(['scale']);
    expect(count(r, 'weight')).toBe(6);
  });

  it('mixed preset: activations asymmetric, weights symmetric per-channel', () => {
    const r = placeQuantizers(transformerEncoder(), { targetDevice: 'CPU', preset: 'mixed', overflowFix: 'disable' });
    expect(cfg(byId(r, 'softmax|OUTPUT'))).toBe('8/a/pt/?/-/-');
    expect(cfg(byId(r, 'ffn1/MatMul|WEIGHT'))).toBe('8/s/pc/+/nr/-');
  });
});

describe('placement: Concat net', () => {
  it('CPU: Concat inputs share one quantizer (unified scales), propagated up through maxpool', () => {
    const r = placeQuantizers(concatNet(), { targetDevice: 'CPU' });
    expect(weightIds(r)).toEqual(['a_conv|WEIGHT', 'c_conv|WEIGHT', 'head|WEIGHT']);
    expect(unifiedGroups(r)).toEqual([['a_relu|OUTPUT', 'c_relu|OUTPUT']]);
    expect(activationIds(r)).toEqual(['a_relu|OUTPUT', 'x|OUTPUT']);
    expect(byId(r, 'a_relu|OUTPUT').quantizedNodes).toEqual(['head']);
  });

  it('TRIAL: no HW unified-scale attribute → two independent quantizers', () => {
    const r = placeQuantizers(concatNet(), { targetDevice: 'TRIAL' });
    expect(unifiedGroups(r)).toEqual([]);
    expect(activationIds(r)).toEqual(['a_relu|OUTPUT', 'c_relu|OUTPUT', 'x|OUTPUT']);
  });

  it('TRIAL applies per_channel: true to the default activation config', () => {
    const r = placeQuantizers(concatNet(), { targetDevice: 'TRIAL', activations: { perChannel: true } });
    expect(byId(r, 'x|OUTPUT').perChannel).toBe(true);
    expect(byId(r, 'a_relu|OUTPUT').perChannel).toBe(true);
  });
});
