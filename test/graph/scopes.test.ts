import { describe, expect, it } from 'vitest';
import {
  assignScopes,
  effectiveGroupScopes,
  hierarchicalScope,
  matchesScope,
  ScopeError,
  scopeOf,
  shouldConsiderScope,
  torchExportPath,
  unmatchedScopes,
  validateScopes,
} from '../../src/graph/index.js';
import { GraphBuilder } from './graph-builder.js';

const TORCH = 'ResNet/NNCFConv2d[conv1]/conv2d_0';

describe('scope matching (config-reference §3)', () => {
  it('without {re} is exact equality, not substring or prefix', () => {
    expect(matchesScope(TORCH, TORCH)).toBe(true);
    expect(matchesScope(TORCH, 'ResNet/NNCFConv2d[conv1]')).toBe(false);
    expect(matchesScope('conv1', 'conv')).toBe(false);
  });

  it('{re} is removed wherever it appears and the rest is searched, not anchored', () => {
    expect(matchesScope('layer1/conv2', '{re}conv')).toBe(true);
    expect(matchesScope('layer1/conv2', 'conv{re}\\d$')).toBe(true);
    expect(matchesScope('layer1/conv2', '{re}^conv')).toBe(false);
    expect(matchesScope('a{re}b', '{re}a{re}b')).toBe(false);
    expect(matchesScope('ab', '{re}a{re}b')).toBe(true);
  });

  it('brackets must be escaped inside regexes', () => {
    expect(matchesScope('UNet/ModuleList[up_path]/Conv2d[0]', '{re}UNet/ModuleList\\[up_path\\].*')).toBe(true);
    expect(matchesScope('UNet/ModuleList[down_path]/Conv2d[0]', '{re}UNet/ModuleList\\[up_path\\].*')).toBe(false);
  });

  it('an invalid regex is a ScopeError naming the pattern', () => {
    expect(() => matchesScope('x', '{re}conv[')).toThrow(/invalid regular expression in scope pattern "\{re\}conv\["/);
  });

  it('target AND not ignored; target_scopes: [] considers nothing; absent target considers all', () => {
    expect(shouldConsiderScope('conv1', {})).toBe(true);
    expect(shouldConsiderScope('conv1', { targetScopes: [] })).toBe(false);
    expect(shouldConsiderScope('conv1', { targetScopes: ['{re}conv'], ignoredScopes: ['conv1'] })).toBe(false);
    expect(shouldConsiderScope('conv2', { targetScopes: ['{re}conv'], ignoredScopes: ['conv1'] })).toBe(true);
    expect(shouldConsiderScope('fc', { targetScopes: '{re}conv' })).toBe(false);
    expect(shouldConsiderScope('fc', { ignoredScopes: 'fc' })).toBe(false);
  });

  it('group scopes: ignored lists concatenate, group target replaces algorithm target', () => {
    const algo = { ignoredScopes: ['a'], targetScopes: ['{re}.*'] };
    expect(effectiveGroupScopes(algo, { ignoredScopes: 'b' })).toEqual({ ignoredScopes: ['b', 'a'], targetScopes: ['{re}.*'] });
    expect(effectiveGroupScopes(algo, { targetScopes: [] })).toEqual({ ignoredScopes: ['a'], targetScopes: [] });
    expect(effectiveGroupScopes({}, undefined)).toEqual({ ignoredScopes: undefined, targetScopes: undefined });
  });

  it('validate_scopes lists every pattern that matched nothing', () => {
    const names = ['conv1', 'conv2', 'fc'];
    expect(unmatchedScopes(names, { ignoredScopes: ['conv1', 'nope', '{re}^x'], targetScopes: ['{re}fc', 'gone'] })).toEqual({
      ignored: ['nope', '{re}^x'],
      target: ['gone'],
    });
    expect(() => validateScopes(names, { ignoredScopes: ['nope', 'conv1'], targetScopes: 'gone' }, true, 'quantization')).toThrow(
      /quantization: ignored_scopes patterns that match no node: \["nope"\]; target_scopes patterns that match no node: \["gone"\]/,
    );
    expect(() => validateScopes(names, { ignoredScopes: ['nope'] }, true)).toThrow(ScopeError);
    expect(validateScopes(names, { ignoredScopes: ['nope'] }, false).ignored).toEqual(['nope']);
    expect(validateScopes(names, { ignoredScopes: ['conv1'] }, true)).toEqual({ ignored: [], target: [] });
  });
});

describe('scope names', () => {
  it('ONNX nodes use their name; hierarchical names follow NNCF PyTorch style', () => {
    expect(hierarchicalScope('ResNet', [{ type: 'Conv2d', name: 'conv1' }], 'conv2d', 0, true)).toBe(TORCH);
    expect(
      hierarchicalScope('ResNet', [{ type: 'Sequential', name: 'layer1' }, { type: 'BasicBlock', name: '0' }, { type: 'ReLU', name: 'relu' }], 'relu_', 1),
    ).toBe('ResNet/Sequential[layer1]/BasicBlock[0]/ReLU[relu]/relu__1');
    expect(torchExportPath('/layer1/layer1.0/conv1/Conv')).toEqual(['layer1', '0', 'conv1']);
    expect(torchExportPath('Conv_0')).toEqual([]);
  });

  it('assignScopes applies a frontend namer and rejects duplicates', () => {
    const b = new GraphBuilder();
    b.op('Relu', 'r1', [b.input('x')]);
    b.op('Relu', 'r2', ['r1']);
    const g = b.build();
    assignScopes(g, (n) => (n.name === 'r1' ? 'Net/ReLU[act]/relu_0' : undefined));
    expect(scopeOf(g.node('r1')!)).toBe('Net/ReLU[act]/relu_0');
    expect(scopeOf(g.node('r2')!)).toBe('r2');
    expect(() => assignScopes(g, () => 'same')).toThrow(/scope "same" given to both "r1" and "r2"/);
  });
});
