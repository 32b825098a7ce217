import { describe, expect, it } from 'vitest';
import {
  allowedBits,
  allowedQConfigs,
  applyConstraints,
  constrainQConfigs,
  CPU_HW_CONFIG,
  deviceTraits,
  expandNamedQConfigs,
  GPU_HW_CONFIG,
  hasAdjustPadding,
  hasUnifiedScales,
  HardwareConfigError,
  hwConfigFor,
  NPU_HW_CONFIG,
  type QuantizerConfig,
} from '../../src/hardware/index.js';

const short = (qs: QuantizerConfig[] | undefined) =>
  qs?.map((q) => `${q.bits}${q.mode === 'symmetric' ? 's' : 'a'}${q.perChannel ? 'c' : 't'}${q.signed === true ? '+' : ''}`);

describe('target devices', () => {
  it('maps devices to HW configs (ANY/CPU/CPU_SPR → CPU, VPU → NPU, TRIAL → none)', () => {
    expect(hwConfigFor('ANY')?.name).toBe('CPU');
    expect(hwConfigFor('CPU_SPR')?.name).toBe('CPU');
    expect(hwConfigFor('GPU')?.name).toBe('GPU');
    expect(hwConfigFor('VPU')).toBe(NPU_HW_CONFIG);
    expect(hwConfigFor('TRIAL')).toBeNull();
    expect(deviceTraits('CPU').overflowFix).toBe(true);
    expect(deviceTraits('GPU').overflowFix).toBe(false);
    expect(deviceTraits('NPU').presetPolicy).toBe('forbidden');
    expect(deviceTraits('TRIAL').presetPolicy).toBe('only-if-given');
    expect(() => deviceTraits('TPU')).toThrow(/unknown target_device "TPU"; expected one of ANY, CPU, GPU, NPU, VPU, CPU_SPR, TRIAL/);
  });
});

describe('HW config tables', () => {
  it('expands named configs in listed order; symmetric weights force signed', () => {
    expect(short(expandNamedQConfigs(CPU_HW_CONFIG, ['q8_a']))).toEqual(['8st', '8at']);
    expect(short(expandNamedQConfigs(CPU_HW_CONFIG, ['q8_a_ch']))).toEqual(['8sc', '8st', '8ac', '8at']);
    expect(short(expandNamedQConfigs(CPU_HW_CONFIG, ['q8_w_sym', 'q8_w_sym_any_nr']))).toEqual(['8sc+', '8st+']);
  });

  it('CPU: convolution weights per-channel first, activations per-tensor; depthwise activations per-channel first', () => {
    expect(short(allowedQConfigs(CPU_HW_CONFIG, ['Convolution'], 'weights'))).toEqual(['8sc+', '8st+', '8ac', '8at', '16sc+', '16st+', '16ac', '16at']);
    expect(short(allowedQConfigs(CPU_HW_CONFIG, ['Convolution'], 'activations'))).toEqual(['8st', '8at', '16st', '16at']);
    expect(short(allowedQConfigs(CPU_HW_CONFIG, ['DepthWiseConvolution'], 'activations'))?.slice(0, 4)).toEqual(['8sc', '8st', '8ac', '8at']);
    expect(short(allowedQConfigs(CPU_HW_CONFIG, ['ScaledDotProductAttention'], 'activations'))).toEqual(['8st', '16st']);
    expect(short(allowedQConfigs(CPU_HW_CONFIG, ['Embedding'], 'weights'))).toEqual(['8sc+', '8st+', '8ac', '8at', '16sc+', '16st+', '16ac', '16at']);
  });

  it('distinguishes unspecified (undefined), wildcard ([]) and listed ops', () => {
    expect(allowedQConfigs(CPU_HW_CONFIG, ['Softmax'], 'activations')).toBeUndefined();
    expect(allowedQConfigs(CPU_HW_CONFIG, ['MaxPool'], 'activations')).toEqual([]);
    expect(allowedQConfigs(CPU_HW_CONFIG, ['Concat'], 'activations')).toEqual([]);
    expect(hasUnifiedScales(CPU_HW_CONFIG, ['Concat'])).toBe(true);
    expect(hasUnifiedScales(CPU_HW_CONFIG, ['Add'])).toBe(false);
  });

  it('Interpolate: CPU 8-bit only; GPU/NPU by mode (nearest is not quantized)', () => {
    expect(short(allowedQConfigs(CPU_HW_CONFIG, ['Interpolate'], 'activations', { mode: 'nearest' }))).toEqual(['8st', '8at']);
    expect(short(allowedQConfigs(GPU_HW_CONFIG, ['Interpolate'], 'activations', { mode: 'linear' }))).toEqual(['8st', '8at', '16st', '16at']);
    expect(allowedQConfigs(GPU_HW_CONFIG, ['Interpolate'], 'activations', { mode: 'nearest' })).toEqual([]);
  });

  it('NPU: 4/2-bit weights on conv/matmul, 4-bit activations, unified elementwise scales, adjust_padding', () => {
    expect(short(allowedQConfigs(NPU_HW_CONFIG, ['Convolution'], 'weights'))?.slice(-4)).toEqual(['4sc', '4st', '2sc', '2st']);
    expect(short(allowedQConfigs(NPU_HW_CONFIG, ['MatMul'], 'activations'))).toEqual(['8st', '8at', '16st', '16at', '4st']);
    expect(short(allowedQConfigs(NPU_HW_CONFIG, ['Divide'], 'activations'))).toEqual(['8st', '8at', '16st', '16at']);
    expect(hasUnifiedScales(NPU_HW_CONFIG, ['Add'])).toBe(true);
    expect(hasUnifiedScales(NPU_HW_CONFIG, ['LogicalNot'])).toBe(false);
    expect(hasAdjustPadding(NPU_HW_CONFIG, ['Convolution'])).toBe(true);
    expect(hasAdjustPadding(CPU_HW_CONFIG, ['Convolution'])).toBe(false);
    expect(allowedBits(NPU_HW_CONFIG, 'weights')).toEqual([16, 8, 4, 2]);
    expect(allowedBits(CPU_HW_CONFIG, 'weights')).toEqual([16, 8]);
  });
});

describe('constraints', () => {
  const ctx = { group: 'weights' as const, targetDevice: 'CPU', location: 'conv1', hwOp: 'Convolution' };
  const convW = allowedQConfigs(CPU_HW_CONFIG, ['Convolution'], 'weights')!;

  it('intersects keeping HW order', () => {
    expect(short(constrainQConfigs(convW, { perChannel: false }, ctx))).toEqual(['8st+', '8at', '16st+', '16at']);
    expect(short(constrainQConfigs(convW, { mode: 'asymmetric', bits: 8 }, ctx))).toEqual(['8ac', '8at']);
  });

  it('signed: statistics-decided configs accept a forced value; forced signed conflicts with signed: false', () => {
    const act = allowedQConfigs(CPU_HW_CONFIG, ['Convolution'], 'activations')!;
    expect(constrainQConfigs(act, { signed: true }, { ...ctx, group: 'activations' })[0].signed).toBe(true);
    expect(short(constrainQConfigs(convW, { signed: false }, ctx))).toEqual(['8ac', '8at', '16ac', '16at']);
    expect(() => constrainQConfigs(convW, { signed: false, mode: 'symmetric' }, ctx)).toThrow(/"mode": "symmetric", "signed": false is incompatible/);
  });

  it('an impossible request names the option and what the device allows', () => {
    expect(() => constrainQConfigs(convW, { bits: 4 }, ctx)).toThrow(HardwareConfigError);
    expect(() => constrainQConfigs(convW, { bits: 4, mode: 'symmetric' }, ctx)).toThrow(
      'quantization.weights: "bits": 4 is incompatible with HW capabilities of target_device CPU for "conv1" (Convolution); the device allows bits ∈ {8, 16}',
    );
    const sdpa = allowedQConfigs(CPU_HW_CONFIG, ['ScaledDotProductAttention'], 'activations')!;
    expect(() => constrainQConfigs(sdpa, { mode: 'asymmetric' }, { ...ctx, group: 'activations' })).toThrow(/"mode": "asymmetric".*mode ∈ \{symmetric\}/);
  });

  it('applyConstraints overrides fields of a default config (TRIAL)', () => {
    expect(applyConstraints({ bits: 8, mode: 'symmetric', perChannel: false }, { bits: 4, mode: 'asymmetric', signed: true })).toEqual({
      bits: 4,
      mode: 'asymmetric',
      perChannel: false,
      signed: true,
    });
  });
});
