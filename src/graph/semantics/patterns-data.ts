import type { Metatype } from './metatype-table.js';

/**
 * HW fused patterns (NNCF `PT_HW_FUSED_PATTERNS`, v2.19) as data. A pattern is a chain of steps;
 * a step is a set of alternatives, each either one op (by metatype) or a small composite subgraph
 * (swish = x·sigmoid(x), decomposed hswish/hsigmoid, …). No quantizer goes inside a matched pattern.
 *
 * ONNX-specific additions (torch has these as one op, ONNX exports them as several):
 *  - `linear_biased`: MatMul(x, W) → Add(·, bias) is torch's single `linear`;
 *  - `gelu_erf`: x·0.5·(1 + erf(x/√2)) is torch's single `gelu`;
 *  - `mvn`: (x − mean) / √(var + ε) spelled out (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div) is the
 *    normalization of torch's single `layer_norm` (NNCF ONNX `MVN`, e.g. Paddle exports of SVTR);
 *  - `scale_shift`: Mul(x, const) → Add/Sub(·, const) is a per-tensor or per-channel affine (NNCF ONNX
 *    `SCALE_SHIFT`; PP-LCNetV3's learnable affine blocks, LayerNorm's γ/β), fused after linear ops,
 *    BN, activations and MVN as NNCF's ONNX patterns do.
 */

/** A node of a composite: its metatypes and its inputs, by reference: 'x' (the composite's input), 'const', or another node id. */
export interface CompositeNode {
  id: string;
  metatypes: readonly Metatype[];
  inputs: readonly string[];
}

/** A composite's nodes in topological order; the first is the anchor, the last produces the output. */
export type Composite = readonly CompositeNode[];

export const COMPOSITES = {
  linear_biased: [
    { id: 'mm', metatypes: ['Linear'], inputs: ['x', 'const'] },
    { id: 'bias', metatypes: ['Add'], inputs: ['mm', 'const'] },
  ],
  swish: [
    { id: 'sig', metatypes: ['Sigmoid'], inputs: ['x'] },
    { id: 'mul', metatypes: ['Mul'], inputs: ['x', 'sig'] },
  ],
  hswish_mul_div: [
    { id: 'add', metatypes: ['Add'], inputs: ['x', 'const'] },
    { id: 'clip', metatypes: ['HardTanh', 'ReLU'], inputs: ['add'] },
    { id: 'div', metatypes: ['Div'], inputs: ['clip', 'const'] },
    { id: 'mul', metatypes: ['Mul'], inputs: ['x', 'div'] },
  ],
  hswish_div_mul: [
    { id: 'add', metatypes: ['Add'], inputs: ['x', 'const'] },
    { id: 'clip', metatypes: ['HardTanh', 'ReLU'], inputs: ['add'] },
    { id: 'mul', metatypes: ['Mul'], inputs: ['x', 'clip'] },
    { id: 'div', metatypes: ['Div'], inputs: ['mul', 'const'] },
  ],
  hsigmoid: [
    { id: 'add', metatypes: ['Add'], inputs: ['x', 'const'] },
    { id: 'clip', metatypes: ['HardTanh', 'ReLU'], inputs: ['add'] },
    { id: 'div', metatypes: ['Div'], inputs: ['clip', 'const'] },
  ],
  mvn: [
    { id: 'mean', metatypes: ['ReduceMean'], inputs: ['x'] },
    { id: 'sub', metatypes: ['Sub'], inputs: ['x', 'mean'] },
    { id: 'pow', metatypes: ['Pow'], inputs: ['sub', 'const'] },
    { id: 'var', metatypes: ['ReduceMean'], inputs: ['pow'] },
    { id: 'eps', metatypes: ['Add'], inputs: ['var', 'const'] },
    { id: 'sqrt', metatypes: ['Sqrt'], inputs: ['eps'] },
    { id: 'div', metatypes: ['Div'], inputs: ['sub', 'sqrt'] },
  ],
  scale_shift: [
    { id: 'mul', metatypes: ['Mul'], inputs: ['x', 'const'] },
    { id: 'add', metatypes: ['Add', 'Sub'], inputs: ['mul', 'const'] },
  ],
  gelu_erf: [
    { id: 'div', metatypes: ['Div', 'Mul'], inputs: ['x', 'const'] },
    { id: 'erf', metatypes: ['Erf'], inputs: ['div'] },
    { id: 'add', metatypes: ['Add'], inputs: ['erf', 'const'] },
    { id: 'mul', metatypes: ['Mul'], inputs: ['x', 'add'] },
    { id: 'half', metatypes: ['Mul'], inputs: ['mul', 'const'] },
  ],
  gelu_erf_half_first: [
    { id: 'div', metatypes: ['Div', 'Mul'], inputs: ['x', 'const'] },
    { id: 'erf', metatypes: ['Erf'], inputs: ['div'] },
    { id: 'add', metatypes: ['Add'], inputs: ['erf', 'const'] },
    { id: 'half', metatypes: ['Mul'], inputs: ['x', 'const'] },
    { id: 'mul', metatypes: ['Mul'], inputs: ['half', 'add'] },
  ],
} as const satisfies Record<string, Composite>;

export type CompositeName = keyof typeof COMPOSITES;

export interface StepSet {
  ops: readonly Metatype[];
  composites: readonly CompositeName[];
}

const LINEAR_OPS: readonly Metatype[] = [
  'Conv1d', 'Conv2d', 'Conv3d', 'DepthwiseConv1d', 'DepthwiseConv2d', 'DepthwiseConv3d',
  'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', 'Linear',
];
const RELU_OPS: readonly Metatype[] = ['ReLU', 'HardTanh'];
const NON_RELU_ACTIVATIONS: readonly Metatype[] = [
  'ELU', 'PReLU', 'LeakyReLU', 'Sigmoid', 'Gelu', 'Swish', 'HardSigmoid', 'HardSwish',
];

/** Step sets, named as NNCF's pattern_operations groups. */
export const STEP_SETS = {
  LINEAR: { ops: LINEAR_OPS, composites: ['linear_biased'] },
  BATCH_NORM: { ops: ['BatchNorm'], composites: [] },
  ACTIVATIONS: {
    ops: [...RELU_OPS, ...NON_RELU_ACTIVATIONS],
    composites: ['swish', 'hswish_mul_div', 'hswish_div_mul', 'hsigmoid', 'gelu_erf', 'gelu_erf_half_first'],
  },
  RELU: { ops: RELU_OPS, composites: [] },
  ARITHMETIC: { ops: ['Add', 'Mul', 'Div'], composites: [] },
  SHIFT: { ops: ['Add', 'Sub'], composites: [] },
  SCALE: { ops: ['Mul', 'Div'], composites: [] },
  GROUP_NORM: { ops: ['GroupNorm'], composites: [] },
  MVN: { ops: [], composites: ['mvn'] },
  SCALE_SHIFT: { ops: [], composites: ['scale_shift'] },
} as const satisfies Record<string, StepSet>;

export type StepSetName = keyof typeof STEP_SETS;

export interface FusedPattern {
  name: string;
  steps: readonly StepSetName[];
}

export const FUSED_PATTERNS: readonly FusedPattern[] = [
  { name: 'SHIFT_SCALE', steps: ['SHIFT', 'SCALE'] },
  { name: 'LINEAR_ARITHMETIC', steps: ['LINEAR', 'ARITHMETIC'] },
  { name: 'LINEAR_SHIFT_SCALE', steps: ['LINEAR', 'SHIFT', 'SCALE'] },
  { name: 'BATCH_NORM_ACTIVATIONS', steps: ['BATCH_NORM', 'ACTIVATIONS'] },
  { name: 'ACTIVATIONS_BATCH_NORM', steps: ['ACTIVATIONS', 'BATCH_NORM'] },
  { name: 'LINEAR_BATCH_NORM', steps: ['LINEAR', 'BATCH_NORM'] },
  { name: 'LINEAR_ACTIVATIONS', steps: ['LINEAR', 'ACTIVATIONS'] },
  { name: 'LINEAR_BATCH_NORM_ACTIVATIONS', steps: ['LINEAR', 'BATCH_NORM', 'ACTIVATIONS'] },
  { name: 'LINEAR_ACTIVATIONS_BATCH_NORM', steps: ['LINEAR', 'ACTIVATIONS', 'BATCH_NORM'] },
  { name: 'ARITHMETIC_BATCH_NORM', steps: ['ARITHMETIC', 'BATCH_NORM'] },
  { name: 'ARITHMETIC_ACTIVATIONS', steps: ['ARITHMETIC', 'ACTIVATIONS'] },
  { name: 'ARITHMETIC_BATCH_NORM_ACTIVATIONS', steps: ['ARITHMETIC', 'BATCH_NORM', 'ACTIVATIONS'] },
  { name: 'ARITHMETIC_ACTIVATIONS_BATCH_NORM', steps: ['ARITHMETIC', 'ACTIVATIONS', 'BATCH_NORM'] },
  { name: 'GROUP_NORM_RELU', steps: ['GROUP_NORM', 'RELU'] },
  // NNCF's ONNX patterns with a decomposed LayerNorm (MVN) or a constant affine (SCALE_SHIFT)
  { name: 'MVN', steps: ['MVN'] },
  { name: 'MVN_SCALE_SHIFT', steps: ['MVN', 'SCALE_SHIFT'] },
  { name: 'SCALE_SHIFT', steps: ['SCALE_SHIFT'] },
  { name: 'SCALE_SHIFT_ACTIVATIONS', steps: ['SCALE_SHIFT', 'ACTIVATIONS'] },
  { name: 'ACTIVATIONS_SCALE_SHIFT', steps: ['ACTIVATIONS', 'SCALE_SHIFT'] },
  { name: 'ARITHMETIC_SCALE_SHIFT', steps: ['ARITHMETIC', 'SCALE_SHIFT'] },
  { name: 'ARITHMETIC_SCALE_SHIFT_ACTIVATIONS', steps: ['ARITHMETIC', 'SCALE_SHIFT', 'ACTIVATIONS'] },
  { name: 'ARITHMETIC_ACTIVATIONS_SCALE_SHIFT', steps: ['ARITHMETIC', 'ACTIVATIONS', 'SCALE_SHIFT'] },
  { name: 'LINEAR_SCALE_SHIFT', steps: ['LINEAR', 'SCALE_SHIFT'] },
  { name: 'LINEAR_SCALE_SHIFT_ACTIVATIONS', steps: ['LINEAR', 'SCALE_SHIFT', 'ACTIVATIONS'] },
  { name: 'LINEAR_ACTIVATIONS_SCALE_SHIFT', steps: ['LINEAR', 'ACTIVATIONS', 'SCALE_SHIFT'] },
  { name: 'BATCH_NORM_SCALE_SHIFT_ACTIVATIONS', steps: ['BATCH_NORM', 'SCALE_SHIFT', 'ACTIVATIONS'] },
  { name: 'LINEAR_BATCH_NORM_SCALE_SHIFT_ACTIVATIONS', steps: ['LINEAR', 'BATCH_NORM', 'SCALE_SHIFT', 'ACTIVATIONS'] },
  // A lone linear_biased (MatMul + bias Add) is one torch `linear`: fuse it even with nothing after it.
  { name: 'LINEAR_BIASED', steps: ['LINEAR'] },
];
