import { describe, expect, it } from 'vitest';
import { classifyLinearKernels, countLinearKernels } from '../../src/runtime/index.js';
import { resnetStyle } from '../helpers/models.js';

describe('linear kernel counts', () => {
  it('splits an op histogram into integer and float Conv/Gemm/MatMul kernels, ignoring other ops', () => {
    const k = classifyLinearKernels(new Map([
      ['QLinearConv', 3], ['com.microsoft:QGemm', 1], ['MatMulInteger', 2], ['Conv', 4], ['com.microsoft:FusedConv', 5],
      ['MatMul', 1], ['com.microsoft.nchwc:Conv', 2], ['Relu', 9], ['QuantizeLinear', 7],
    ]));
    expect(k).toEqual({
      integer: 6, float: 12,
      integerOps: { QLinearConv: 3, MatMulInteger: 2, 'com.microsoft:QGemm': 1 },
      floatOps: { Conv: 4, MatMul: 1, 'com.microsoft:FusedConv': 5, 'com.microsoft.nchwc:Conv': 2 },
    });
  });

  it("counts ORT's optimized FP32 graph: 6 Convs (BN folded, Relu fused) and the Gemm, all float", async () => {
    const k = await countLinearKernels(resnetStyle().bytes);
    expect(k.integer).toBe(0);
    expect(k.float).toBe(7);
    expect(k.floatOps.Gemm).toBe(1);
  });

  it('reports a model ORT cannot load', async () => {
    await expect(countLinearKernels(new Uint8Array([1, 2, 3]))).rejects.toThrow();
  });
});
