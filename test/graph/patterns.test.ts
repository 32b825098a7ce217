import { describe, expect, it } from 'vitest';
import { assignMetatypes, findFusedPatterns, type Graph } from '../../src/graph/index.js';
import { GraphBuilder } from './graph-builder.js';

const fused = (g: Graph) => findFusedPatterns(g, assignMetatypes(g)).map((m) => `${m.pattern}:${m.nodes.map((n) => n.name).join(',')}`);

describe('fused patterns', () => {
  it('fuses conv+bn+relu as one unit (largest pattern wins)', () => {
    const b = new GraphBuilder();
    b.output(b.op('Relu', 'relu', [b.bn('bn', b.conv('conv', b.input('x'), 3, 8), 8)]));
    expect(fused(b.build())).toEqual(['LINEAR_BATCH_NORM_ACTIVATIONS:conv,bn,relu']);
  });

  it('is strict: an inner tensor used outside the pattern prevents fusing there', () => {
    const b = new GraphBuilder();
    const c = b.conv('conv', b.input('x'), 3, 8);
    const bn = b.bn('bn', c, 8);
    b.output(b.op('Relu', 'relu', [bn]));
    b.output(b.op('Sigmoid', 'side', [c]));
    // conv's output leaves the pattern → conv+bn cannot fuse; bn+relu still can.
    expect(fused(b.build())).toEqual(['BATCH_NORM_ACTIVATIONS:bn,relu']);
  });

  it('does not fuse a residual Add into the linear before it (the Add reads another activation)', () => {
    const b = new GraphBuilder();
    const x = b.input('x');
    b.output(b.op('Add', 'add', [b.conv('conv', x, 3, 3), x]));
    expect(fused(b.build())).toEqual([]);
  });

  it('fuses linear + constant arithmetic (bias Add) and add + relu', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2, 16]);
    const y = b.linear('fc', x, 16, 16);
    b.output(b.op('Relu', 'relu', [b.op('Add', 'res', [y, x])]));
    expect(fused(b.build())).toEqual(['LINEAR_ARITHMETIC:fc/MatMul,fc/Add', 'ARITHMETIC_ACTIVATIONS:res,relu']);
  });

  it('matches composite activations: swish, decomposed hswish, Erf-form gelu', () => {
    const b = new GraphBuilder();
    const x = b.input('x');
    const c = b.conv('conv', x, 3, 8);
    const sw = b.op('Mul', 'sw_mul', [c, b.op('Sigmoid', 'sw_sig', [c])]);
    const c2 = b.conv('conv2', sw, 8, 8);
    const a = b.op('Add', 'hs_add', [c2, b.constant('three', [])]);
    const r6 = b.clip('hs_clip', a);
    const d = b.op('Div', 'hs_div', [r6, b.constant('six', [])]);
    b.output(b.op('Mul', 'hs_mul', [c2, d]));
    expect(fused(b.build())).toEqual([
      'LINEAR_ACTIVATIONS:conv,sw_sig,sw_mul',
      'LINEAR_ACTIVATIONS:conv2,hs_add,hs_clip,hs_div,hs_mul',
    ]);
  });

  it('NNCF ONNX patterns: a spelled-out LayerNorm with γ/β (MVN_SCALE_SHIFT), a conv with a constant affine and hswish (LINEAR_SCALE_SHIFT_ACTIVATIONS), hswish then an affine (ACTIVATIONS_SCALE_SHIFT)', () => {
    const b = new GraphBuilder();
    const x = b.input('x');
    // PP-LCNetV3 block: conv → ·w + b (scalar constants, the constant first as paddle2onnx writes it) → hswish → ·w + b
    const c = b.conv('conv', x, 3, 8);
    const aff = b.op('Add', 'lab_add', [b.op('Mul', 'lab_mul', [b.constant('w0', []), c]), b.constant('b0', [])]);
    const a = b.op('Add', 'hs_add', [aff, b.constant('three', [])]);
    const hs = b.op('Div', 'hs_div', [b.op('Mul', 'hs_mul', [aff, b.clip('hs_clip', a)]), b.constant('six', [])]);
    const aff2 = b.op('Add', 'lab2_add', [b.op('Mul', 'lab2_mul', [hs, b.constant('w1', [])]), b.constant('b1', [])]);
    // LayerNorm over the last axis, spelled out, then γ, β
    const mean = b.op('ReduceMean', 'ln_mean', [aff2]);
    const sub = b.op('Sub', 'ln_sub', [aff2, mean]);
    const v = b.op('ReduceMean', 'ln_var', [b.op('Pow', 'ln_pow', [sub, b.constant('two', [])])]);
    const norm = b.op('Div', 'ln_div', [sub, b.op('Sqrt', 'ln_sqrt', [b.op('Add', 'ln_eps', [v, b.constant('eps', [])])])]);
    b.output(b.op('Add', 'ln_beta', [b.op('Mul', 'ln_gamma', [norm, b.constant('gamma', [8, 1, 1])]), b.constant('beta', [8, 1, 1])]));
    expect(fused(b.build())).toEqual([
      'LINEAR_SCALE_SHIFT_ACTIVATIONS:conv,lab_mul,lab_add,hs_add,hs_clip,hs_mul,hs_div',
      'SCALE_SHIFT:lab2_mul,lab2_add',
      'MVN_SCALE_SHIFT:ln_mean,ln_sub,ln_pow,ln_var,ln_eps,ln_sqrt,ln_div,ln_gamma,ln_beta',
    ]);
  });

  it('SCALE_SHIFT needs constant operands: Mul of two activations then Add is not an affine', () => {
    const b = new GraphBuilder();
    const x = b.input('x');
    const y = b.input('y');
    b.output(b.op('Add', 'add', [b.op('Mul', 'mul', [x, y]), b.constant('c', [])]));
    expect(fused(b.build())).toEqual([]);
  });
});
