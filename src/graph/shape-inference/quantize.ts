import type { DType } from '../types.js';
import { dtypeFromOnnx } from '../onnx-proto/dtypes.js';
import type { ShapeRule } from './context.js';

export const quantizeRules: Record<string, ShapeRule> = {
  QuantizeLinear: (ctx) => {
    const explicit = ctx.int('output_dtype', 0);
    const dtype: DType = explicit ? dtypeFromOnnx(explicit) : ctx.has(2) ? ctx.dtype(2) : 'uint8';
    return [{ dtype, shape: ctx.shape(0) }];
  },
  DequantizeLinear: (ctx) => [{ dtype: ctx.has(1) ? ctx.dtype(1) : 'float32', shape: ctx.shape(0) }],
  DynamicQuantizeLinear: (ctx) => [
    { dtype: 'uint8', shape: ctx.shape(0) },
    { dtype: 'float32', shape: [] },
    { dtype: 'uint8', shape: [] },
  ],
};
