import type { Graph } from '../../src/graph/index.js';
import { GraphBuilder } from '../graph/graph-builder.js';

/**
 * Small models for placement tests, built directly as Graphs (ONNX semantics, PyTorch-export style).
 */

/** conv1+bn1+relu1 → maxpool → [conv2+bn2+relu2 → conv3+bn3] + identity → add+relu3 → GAP → flatten → fc. */
export function resnetBlock(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 3, 16, 16]);
  const r1 = b.op('Relu', 'relu1', [b.bn('bn1', b.conv('conv1', x, 3, 8), 8)]);
  const mp = b.op('MaxPool', 'maxpool', [r1]);
  const r2 = b.op('Relu', 'relu2', [b.bn('bn2', b.conv('conv2', mp, 8, 8), 8)]);
  const b3 = b.bn('bn3', b.conv('conv3', r2, 8, 8), 8);
  const r3 = b.op('Relu', 'relu3', [b.op('Add', 'add', [b3, mp])]);
  const flat = b.op('Flatten', 'flatten', [b.op('GlobalAveragePool', 'gap', [r3])]);
  b.output(b.gemm('fc', flat, 8, 10));
  return b.build();
}

/**
 * MobileNetV2-style: stem conv+bn+clip; inverted residual: expand 1×1 (+bn+clip) → depthwise 3×3 (+bn+clip)
 * → project 1×1 (+bn) → add with the block input; then a second block without residual; GAP → fc.
 */
export function mobilenetV2(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 3, 16, 16]);
  const stem = b.clip('stem_clip', b.bn('stem_bn', b.conv('stem', x, 3, 8), 8));
  const e = b.clip('b1_expand_clip', b.bn('b1_expand_bn', b.conv('b1_expand', stem, 8, 16, { k: 1 }), 16));
  const d = b.clip('b1_dw_clip', b.bn('b1_dw_bn', b.conv('b1_dw', e, 16, 16, { group: 16 }), 16));
  const p = b.bn('b1_project_bn', b.conv('b1_project', d, 16, 8, { k: 1 }), 8);
  const add = b.op('Add', 'b1_add', [stem, p]);
  const e2 = b.clip('b2_expand_clip', b.bn('b2_expand_bn', b.conv('b2_expand', add, 8, 16, { k: 1 }), 16));
  const d2 = b.clip('b2_dw_clip', b.bn('b2_dw_bn', b.conv('b2_dw', e2, 16, 16, { group: 16 }), 16));
  const p2 = b.bn('b2_project_bn', b.conv('b2_project', d2, 16, 12, { k: 1 }), 12);
  const flat = b.op('Flatten', 'flatten', [b.op('GlobalAveragePool', 'gap', [p2])]);
  b.output(b.gemm('fc', flat, 12, 10));
  return b.build();
}

/**
 * One post-LN transformer encoder block as PyTorch exports it: Q/K/V linears (MatMul+Add),
 * reshape/transpose heads, scores = MatMul(q, kᵀ) / √d, Softmax, context = MatMul(p, v), output
 * projection + residual Add, LayerNorm; FFN linear → Gelu(Erf form) → linear + residual, LayerNorm.
 */
export function transformerEncoder(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 4, 16]);
  const shape = b.constant('heads_shape', [4], 'int64');
  const heads = (n: string, t: string) => b.op('Transpose', `${n}/Transpose`, [b.op('Reshape', `${n}/Reshape`, [t, shape])]);
  const q = heads('q', b.linear('q', x, 16, 16));
  const k = heads('k', b.linear('k', x, 16, 16));
  const v = heads('v', b.linear('v', x, 16, 16));
  const kt = b.op('Transpose', 'kt', [k]);
  const scores = b.op('Div', 'scale', [b.op('MatMul', 'scores', [q, kt]), b.constant('sqrt_d', [])]);
  const probs = b.op('Softmax', 'softmax', [scores]);
  const ctx = b.op('MatMul', 'context', [probs, v]);
  const merged = b.op('Reshape', 'merge/Reshape', [b.op('Transpose', 'merge/Transpose', [ctx]), b.constant('merged_shape', [3], 'int64')]);
  const attnOut = b.linear('o', merged, 16, 16);
  const ln1 = b.op('LayerNormalization', 'ln1', [b.op('Add', 'res1', [x, attnOut]), b.constant('ln1.g', [16]), b.constant('ln1.b', [16])]);
  const h = b.linear('ffn1', ln1, 16, 32);
  const div = b.op('Div', 'gelu/Div', [h, b.constant('gelu.sqrt2', [])]);
  const erf = b.op('Erf', 'gelu/Erf', [div]);
  const add1 = b.op('Add', 'gelu/Add', [erf, b.constant('gelu.one', [])]);
  const mul = b.op('Mul', 'gelu/Mul', [h, add1]);
  const gelu = b.op('Mul', 'gelu/Mul_1', [mul, b.constant('gelu.half', [])]);
  const ffnOut = b.linear('ffn2', gelu, 32, 16);
  const ln2 = b.op('LayerNormalization', 'ln2', [b.op('Add', 'res2', [ln1, ffnOut]), b.constant('ln2.g', [16]), b.constant('ln2.b', [16])]);
  b.output(ln2);
  return b.build();
}

/** Two conv branches (conv+relu and conv+bn+relu → maxpool) concatenated, then a conv. */
export function concatNet(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 3, 16, 16]);
  const a = b.op('Relu', 'a_relu', [b.conv('a_conv', x, 3, 4)]);
  const c = b.op('MaxPool', 'c_pool', [b.op('Relu', 'c_relu', [b.bn('c_bn', b.conv('c_conv', x, 3, 4), 4)])]);
  const cat = b.op('Concat', 'cat', [a, c], { axis: { type: 'int', value: 1 } });
  b.output(b.conv('head', cat, 8, 2, { k: 1 }));
  return b.build();
}
