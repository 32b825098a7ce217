import type { Metatype } from './metatype-table.js';

/**
 * HW fused patterns (NNCF `PT_HW_FUSED_PATTERNS`, v2.19) as data. A pattern is a chain of steps;
 * a step is a set of alternatives, each either one op (by metatype) or a small composite subgraph
 * (swish = x·sigmoid(x), decomposed hswish/hsigmoid, …). No quantizer goes inside a matched pattern.
 *
 * ONNX-specific additions (torch has these as one op, ONNX exports them as several):
 *  - `linear_biased`: MatMul(x, W) → Add(·, bias) is torch's single `linear`;
 *  - `gelu_erf`: x·0.5·(1 + erf(x/√2)) is torch's single `gelu`.
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
  // A lone linear_biased (MatMul + bias Add) is one torch `linear`: fuse it even with nothing after it.
  { name: 'LINEAR_BIASED', steps: ['LINEAR'] },
];
