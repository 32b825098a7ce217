import { describe, expect, it } from 'vitest';
import { activationInputs, isConstantTensor, integerTensors, metatypeOf, weightOf } from '../../src/graph/index.js';
import { GraphBuilder } from './graph-builder.js';

function single(build: (b: GraphBuilder) => void) {
  const b = new GraphBuilder();
  build(b);
  const g = b.build();
  return { g, node: (n: string) => g.node(n)! };
}

describe('metatypeOf', () => {
  it('classifies convolutions by rank and depthwise-ness', () => {
    const { g, node } = single((b) => {
      const x = b.input('x', [1, 8, 8, 8]);
      b.conv('c2', x, 8, 16);
      b.conv('c1', b.input('y', [1, 8, 8]), 8, 8, { dims: 1 });
      b.conv('dw', x, 8, 8, { group: 8 });
      b.conv('dw_mult', x, 8, 16, { group: 8 });
      b.conv('grouped', x, 8, 8, { group: 2 });
      b.op('ConvTranspose', 'ct', [x, b.constant('ct.w', [8, 4, 2, 2])]);
    });
    expect(metatypeOf(g, node('c2'))).toBe('Conv2d');
    expect(metatypeOf(g, node('c1'))).toBe('Conv1d');
    expect(metatypeOf(g, node('dw'))).toBe('DepthwiseConv2d');
    expect(metatypeOf(g, node('dw_mult'))).toBe('DepthwiseConv2d');
    expect(metatypeOf(g, node('grouped'))).toBe('Conv2d');
    expect(metatypeOf(g, node('ct'))).toBe('ConvTranspose2d');
  });

  it('tells Linear (constant weight) from MatMul (two activations) and Embedding from Gather', () => {
    const { g, node } = single((b) => {
      const x = b.input('x', [2, 16]);
      b.gemm('fc', x, 16, 4);
      b.op('MatMul', 'mm_w', [x, b.constant('w', [16, 4])]);
      b.op('MatMul', 'mm_aa', [x, b.op('Transpose', 'xt', [x])]);
      const ids = b.input('ids', [2, 5], 'int64');
      b.op('Gather', 'emb', [b.constant('table', [100, 16]), ids]);
      b.op('Gather', 'pick', [x, b.constant('idx', [1], 'int64')]);
    });
    expect(metatypeOf(g, node('fc'))).toBe('Linear');
    expect(metatypeOf(g, node('mm_w'))).toBe('Linear');
    expect(metatypeOf(g, node('mm_aa'))).toBe('MatMul');
    expect(metatypeOf(g, node('emb'))).toBe('Embedding');
    expect(metatypeOf(g, node('pick'))).toBe('Gather');
  });

  it('maps op types by table and unknowns to Unknown', () => {
    const { g, node } = single((b) => {
      const x = b.input('x');
      b.clip('relu6', x);
      b.op('Softmax', 'sm', [x]);
      b.op('HardSwish', 'hs', [x]);
      b.op('GlobalAveragePool', 'gap', [x]);
      b.op('FancyOp', 'odd', [x]);
    });
    g.node('odd')!.domain = 'com.example';
    expect(metatypeOf(g, node('relu6'))).toBe('HardTanh');
    expect(metatypeOf(g, node('sm'))).toBe('Softmax');
    expect(metatypeOf(g, node('hs'))).toBe('HardSwish');
    expect(metatypeOf(g, node('gap'))).toBe('GlobalAvgPool');
    expect(metatypeOf(g, node('odd'))).toBe('Unknown');
  });
});

describe('weightOf', () => {
  it('finds weight tensors and output-channel axes', () => {
    const { g, node } = single((b) => {
      const x = b.input('x', [2, 16]);
      b.gemm('fc', x, 16, 4);
      b.op('Gemm', 'fc_nt', [x, b.constant('wnt', [16, 4])]);
      b.op('MatMul', 'mm', [x, b.constant('w', [16, 4])]);
      b.conv('conv', b.input('img'), 3, 8);
      b.op('ConvTranspose', 'ct', [b.input('img2'), b.constant('ct.w', [3, 6, 2, 2])]);
    });
    expect(weightOf(g, node('fc'))).toEqual({ port: 1, tensor: 'fc.weight', channelAxis: 0 });
    expect(weightOf(g, node('fc_nt'))?.channelAxis).toBe(1);
    expect(weightOf(g, node('mm'))).toEqual({ port: 1, tensor: 'w', channelAxis: 1 });
    expect(weightOf(g, node('conv'))).toEqual({ port: 1, tensor: 'conv.weight', channelAxis: 0 });
    expect(weightOf(g, node('ct'))?.channelAxis).toBe(1);
  });

  it('has no weight for ops without a constant weight', () => {
    const { g, node } = single((b) => {
      const x = b.input('x');
      b.op('Relu', 'r', [x]);
      b.op('Conv', 'dyn', [x, b.input('w_dyn', [8, 3, 3, 3])]);
    });
    expect(weightOf(g, node('r'))).toBeUndefined();
    expect(weightOf(g, node('dyn'))).toBeUndefined();
  });
});

describe('constness and integer tensors', () => {
  it('propagates constness through constant subgraphs and marks shape outputs integer', () => {
    const { g, node } = single((b) => {
      const x = b.input('x', [2, 16]);
      const wt = b.op('Transpose', 'wt', [b.constant('w', [4, 16])]);
      b.op('MatMul', 'mm', [x, wt]);
      b.op('Shape', 'shape', [x]);
      b.op('Reshape', 'rs', [x, 'shape']);
    });
    expect(isConstantTensor(g, 'wt')).toBe(true);
    expect(isConstantTensor(g, 'x')).toBe(false);
    expect(metatypeOf(g, node('mm'))).toBe('Linear');
    expect(integerTensors(g).has('shape')).toBe(true);
    expect(activationInputs(g, node('rs'))).toEqual([[0, 'x']]);
  });
});
