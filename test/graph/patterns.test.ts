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
});
