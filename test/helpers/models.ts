/**
 * Whole test models built in code with seeded random weights (no downloads): ResNet-style,
 * MobileNetV2-style, a 2-layer transformer encoder and a Concat net. Each returns the Graph and the
 * .onnx bytes; the batch dimension is symbolic ('N') unless a number is given.
 */
import type { Graph } from '../../src/graph/graph.js';
import type { Dim, TensorInfo } from '../../src/graph/types.js';
import { OnnxBuilder, seededRandom } from './onnx-builder.js';

export interface TestModel {
  name: string;
  graph: Graph;
  bytes: Uint8Array;
  inputs: TensorInfo[];
  outputs: string[];
}

export interface ModelOptions {
  seed?: number;
  batch?: Dim;
  opset?: number;
}

function finish(name: string, b: OnnxBuilder): TestModel {
  return { name, graph: b.toGraph(), bytes: b.toBytes(), inputs: b.inputs.map((t) => ({ ...t })), outputs: b.outputs.map((t) => t.name) };
}

/** Conv (+ BatchNormalization) (+ activation); returns the output tensor. */
function convBn(b: OnnxBuilder, x: string, name: string, cin: number, cout: number, k: number,
  opts: { stride?: number; group?: number; act?: 'relu' | 'relu6' | null; bias?: boolean } = {}): string {
  const stride = opts.stride ?? 1;
  const group = opts.group ?? 1;
  const pad = Math.floor(k / 2);
  const inputs = [x, b.randomWeight(`${name}.weight`, [cout, cin / group, k, k])];
  if (opts.bias) inputs.push(b.uniform(`${name}.bias`, [cout], -0.1, 0.1));
  let y = b.node('Conv', inputs, { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], group, dilations: [1, 1] }, { name: `${name}/Conv` });
  y = b.node('BatchNormalization', [y, b.uniform(`${name}.bn.scale`, [cout], 0.5, 1.5), b.uniform(`${name}.bn.bias`, [cout], -0.1, 0.1),
    b.uniform(`${name}.bn.mean`, [cout], -0.1, 0.1), b.uniform(`${name}.bn.var`, [cout], 0.5, 1.5)], { epsilon: 1e-5, momentum: 0.9 }, { name: `${name}/BatchNormalization` });
  if (opts.act === 'relu') y = b.node('Relu', [y], {}, { name: `${name}/Relu` });
  if (opts.act === 'relu6') y = b.node('Clip', [y, 'clip_min', 'clip_max'], {}, { name: `${name}/Clip` });
  return y;
}

function head(b: OnnxBuilder, x: string, channels: number, classes: number): string {
  const pooled = b.node('GlobalAveragePool', [x], {}, { name: 'head/GlobalAveragePool' });
  const flat = b.node('Flatten', [pooled], { axis: 1 }, { name: 'head/Flatten' });
  const logits = b.node('Gemm', [flat, b.randomWeight('fc.weight', [classes, channels]), b.uniform('fc.bias', [classes], -0.1, 0.1)],
    { alpha: 1, beta: 1, transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] });
  return b.output(logits, [b.inputs[0].shape![0], classes]);
}

/** ResNet-style: conv-BN-ReLU stem, a basic block with identity add, a stride-2 block with 1x1 projection, GAP, Gemm. */
export function resnetStyle(o: ModelOptions & { size?: number; width?: number; classes?: number } = {}): TestModel {
  const b = new OnnxBuilder({ opset: o.opset ?? 13, seed: o.seed ?? 1, name: 'resnet_style' });
  const w = o.width ?? 16;
  const x = b.input('input', [o.batch ?? 'N', 3, o.size ?? 32, o.size ?? 32]);
  let y = convBn(b, x, 'stem', 3, w, 3, { act: 'relu' });
  // layer1: identity shortcut
  let r = convBn(b, y, 'layer1.0.conv1', w, w, 3, { act: 'relu' });
  r = convBn(b, r, 'layer1.0.conv2', w, w, 3);
  y = b.node('Relu', [b.node('Add', [r, y], {}, { name: 'layer1.0/Add' })], {}, { name: 'layer1.0/Relu' });
  // layer2: stride 2 with projection shortcut
  r = convBn(b, y, 'layer2.0.conv1', w, 2 * w, 3, { stride: 2, act: 'relu' });
  r = convBn(b, r, 'layer2.0.conv2', 2 * w, 2 * w, 3);
  const sc = convBn(b, y, 'layer2.0.downsample', w, 2 * w, 1, { stride: 2 });
  y = b.node('Relu', [b.node('Add', [r, sc], {}, { name: 'layer2.0/Add' })], {}, { name: 'layer2.0/Relu' });
  head(b, y, 2 * w, o.classes ?? 10);
  return finish('resnet_style', b);
}

/** MobileNetV2-style: stride-2 stem, inverted residual (expand, depthwise, project, add), a stride-2 block, Clip(0,6). */
export function mobilenetV2Style(o: ModelOptions & { size?: number; classes?: number } = {}): TestModel {
  const b = new OnnxBuilder({ opset: o.opset ?? 13, seed: o.seed ?? 2, name: 'mobilenet_v2_style' });
  b.scalar('clip_min', 0);
  b.scalar('clip_max', 6);
  const x = b.input('input', [o.batch ?? 'N', 3, o.size ?? 32, o.size ?? 32]);
  let y = convBn(b, x, 'features.0', 3, 16, 3, { stride: 2, act: 'relu6' });
  const invertedResidual = (inp: string, name: string, cin: number, cout: number, stride: number, expand: number): string => {
    const hidden = cin * expand;
    let h = convBn(b, inp, `${name}.expand`, cin, hidden, 1, { act: 'relu6' });
    h = convBn(b, h, `${name}.dw`, hidden, hidden, 3, { stride, group: hidden, act: 'relu6' });
    h = convBn(b, h, `${name}.project`, hidden, cout, 1);
    return stride === 1 && cin === cout ? b.node('Add', [inp, h], {}, { name: `${name}/Add` }) : h;
  };
  y = invertedResidual(y, 'features.1', 16, 16, 1, 4);
  y = invertedResidual(y, 'features.2', 16, 24, 2, 4);
  y = invertedResidual(y, 'features.3', 24, 24, 1, 4);
  y = convBn(b, y, 'features.4', 24, 64, 1, { act: 'relu6' });
  head(b, y, 64, o.classes ?? 10);
  return finish('mobilenet_v2_style', b);
}

/** A 2-layer transformer encoder: multi-head attention, LayerNorm (op or decomposed), Gelu written with Erf. */
export function transformerEncoder(o: ModelOptions & { seq?: number; dModel?: number; heads?: number; ff?: number; layers?: number; decomposedLayerNorm?: boolean } = {}): TestModel {
  const opset = o.opset ?? 17;
  const decomposed = o.decomposedLayerNorm ?? opset < 17;
  const b = new OnnxBuilder({ opset, seed: o.seed ?? 3, name: 'transformer_encoder' });
  const T = o.seq ?? 8, d = o.dModel ?? 32, H = o.heads ?? 4, ff = o.ff ?? 64, dh = d / H;
  let x = b.input('input', [o.batch ?? 'N', T, d]);
  b.ints('shape_heads', [0, T, H, dh]);
  b.ints('shape_model', [0, T, d]);
  b.scalar('attn_scale', 1 / Math.sqrt(dh));
  b.scalar('half', 0.5);
  b.scalar('one', 1);
  b.scalar('inv_sqrt2', Math.SQRT1_2);
  if (decomposed) {
    b.scalar('two', 2);
    b.scalar('ln_eps', 1e-5);
    if (opset >= 18) b.ints('ln_axes', [-1]);
  }
  const linear = (inp: string, name: string, cin: number, cout: number) =>
    b.node('Add', [b.node('MatMul', [inp, b.randomWeight(`${name}.weight`, [cin, cout], 1 / Math.sqrt(cin))], {}, { name: `${name}/MatMul` }),
      b.uniform(`${name}.bias`, [cout], -0.1, 0.1)], {}, { name: `${name}/Add` });
  const reduceMean = (inp: string, name: string) =>
    opset >= 18 ? b.node('ReduceMean', [inp, 'ln_axes'], { keepdims: 1 }, { name }) : b.node('ReduceMean', [inp], { axes: [-1], keepdims: 1 }, { name });
  const layerNorm = (inp: string, name: string) => {
    const gamma = b.uniform(`${name}.weight`, [d], 0.8, 1.2);
    const beta = b.uniform(`${name}.bias`, [d], -0.1, 0.1);
    if (!decomposed) return b.node('LayerNormalization', [inp, gamma, beta], { axis: -1, epsilon: 1e-5 }, { name: `${name}/LayerNormalization` });
    const centered = b.node('Sub', [inp, reduceMean(inp, `${name}/ReduceMean`)], {}, { name: `${name}/Sub` });
    const variance = reduceMean(b.node('Pow', [centered, 'two'], {}, { name: `${name}/Pow` }), `${name}/ReduceMean_1`);
    const std = b.node('Sqrt', [b.node('Add', [variance, 'ln_eps'], {}, { name: `${name}/Add` })], {}, { name: `${name}/Sqrt` });
    const normed = b.node('Div', [centered, std], {}, { name: `${name}/Div` });
    return b.node('Add', [b.node('Mul', [normed, gamma], {}, { name: `${name}/Mul` }), beta], {}, { name: `${name}/Add_1` });
  };
  for (let l = 0; l < (o.layers ?? 2); l++) {
    const p = `layers.${l}`;
    const split = (t: string, name: string) => b.node('Reshape', [t, 'shape_heads'], {}, { name: `${name}/Reshape` });
    const q = b.node('Transpose', [split(linear(x, `${p}.q`, d, d), `${p}.q`)], { perm: [0, 2, 1, 3] }, { name: `${p}.q/Transpose` });
    const k = b.node('Transpose', [split(linear(x, `${p}.k`, d, d), `${p}.k`)], { perm: [0, 2, 3, 1] }, { name: `${p}.k/Transpose` });
    const v = b.node('Transpose', [split(linear(x, `${p}.v`, d, d), `${p}.v`)], { perm: [0, 2, 1, 3] }, { name: `${p}.v/Transpose` });
    const scores = b.node('Mul', [b.node('MatMul', [q, k], {}, { name: `${p}.attn/MatMul` }), 'attn_scale'], {}, { name: `${p}.attn/Mul` });
    const attn = b.node('Softmax', [scores], { axis: -1 }, { name: `${p}.attn/Softmax` });
    const ctx = b.node('Transpose', [b.node('MatMul', [attn, v], {}, { name: `${p}.attn/MatMul_1` })], { perm: [0, 2, 1, 3] }, { name: `${p}.attn/Transpose` });
    const merged = b.node('Reshape', [ctx, 'shape_model'], {}, { name: `${p}.attn/Reshape` });
    x = layerNorm(b.node('Add', [x, linear(merged, `${p}.out`, d, d)], {}, { name: `${p}/Add` }), `${p}.norm1`);
    const h = linear(x, `${p}.ff1`, d, ff);
    const erf = b.node('Erf', [b.node('Mul', [h, 'inv_sqrt2'], {}, { name: `${p}.gelu/Mul` })], {}, { name: `${p}.gelu/Erf` });
    const gelu = b.node('Mul', [b.node('Mul', [h, 'half'], {}, { name: `${p}.gelu/Mul_1` }), b.node('Add', [erf, 'one'], {}, { name: `${p}.gelu/Add` })], {}, { name: `${p}.gelu/Mul_2` });
    x = layerNorm(b.node('Add', [x, linear(gelu, `${p}.ff2`, ff, d)], {}, { name: `${p}/Add_1` }), `${p}.norm2`);
  }
  const out = b.node('Identity', [x], {}, { name: 'output/Identity', outputs: ['hidden'] });
  b.output(out, [b.inputs[0].shape![0], T, d]);
  return finish('transformer_encoder', b);
}

/** Two conv branches joined by Concat, then conv, MaxPool, Flatten, Gemm. */
export function concatNet(o: ModelOptions & { size?: number; classes?: number } = {}): TestModel {
  const b = new OnnxBuilder({ opset: o.opset ?? 13, seed: o.seed ?? 4, name: 'concat_net' });
  const s = o.size ?? 16;
  const x = b.input('input', [o.batch ?? 'N', 3, s, s]);
  const a = b.node('Relu', [b.node('Conv', [x, b.randomWeight('branch_a.weight', [8, 3, 1, 1]), b.uniform('branch_a.bias', [8], -0.1, 0.1)], { kernel_shape: [1, 1] }, { name: 'branch_a/Conv' })], {}, { name: 'branch_a/Relu' });
  const c = b.node('Relu', [b.node('Conv', [x, b.randomWeight('branch_b.weight', [8, 3, 3, 3]), b.uniform('branch_b.bias', [8], -0.1, 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'branch_b/Conv' })], {}, { name: 'branch_b/Relu' });
  const cat = b.node('Concat', [a, c], { axis: 1 }, { name: 'merge/Concat' });
  const m = b.node('Conv', [cat, b.randomWeight('merge.weight', [8, 16, 1, 1]), b.uniform('merge.bias', [8], -0.1, 0.1)], { kernel_shape: [1, 1] }, { name: 'merge/Conv' });
  const p = b.node('MaxPool', [m], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'pool/MaxPool' });
  const f = b.node('Flatten', [p], { axis: 1 }, { name: 'flatten/Flatten' });
  const classes = o.classes ?? 10;
  const logits = b.node('Gemm', [f, b.randomWeight('fc.weight', [classes, 8 * (s / 2) * (s / 2)]), b.uniform('fc.bias', [classes], -0.1, 0.1)], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] });
  b.output(logits, [b.inputs[0].shape![0], classes]);
  return finish('concat_net', b);
}

/** All builder models, for suites that loop over them. */
export function allTestModels(o: ModelOptions = {}): TestModel[] {
  return [resnetStyle(o), mobilenetV2Style(o), transformerEncoder(o), concatNet(o)];
}

/** Seeded input data for a model's inputs; symbolic dims become `batch`. */
export function randomInputs(model: TestModel, seed = 7, batch = 2): Record<string, { dims: number[]; data: Float32Array }> {
  const rnd = seededRandom(seed);
  const out: Record<string, { dims: number[]; data: Float32Array }> = {};
  for (const t of model.inputs) {
    const dims = (t.shape ?? []).map((d) => (typeof d === 'number' ? d : batch));
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rnd() * 2 - 1;
    out[t.name] = { dims, data };
  }
  return out;
}
