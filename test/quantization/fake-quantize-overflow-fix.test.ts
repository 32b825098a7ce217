import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Graph, type ConstTensor, type GraphNode } from '../../src/graph/index.js';
import {
  OverflowFixError,
  findFirstNodesOfType,
  firstConvNodeNames,
  parseOverflowFix,
  weightRangeFlags,
} from '../../src/algorithms/quantization/overflow-fix.js';
import { Quantizer } from '../../src/algorithms/quantization/fake-quantize/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('overflow_fix option (spec §5)', () => {
  it('defaults to enable; accepts the three values; anything else is an error', () => {
    expect(parseOverflowFix(undefined)).toBe('enable');
    for (const v of ['enable', 'disable', 'first_layer_only']) expect(parseOverflowFix(v)).toBe(v);
    expect(() => parseOverflowFix('on')).toThrow(/quantization\.overflow_fix: unknown value "on"; expected one of enable, disable, first_layer_only/);
    expect(() => parseOverflowFix(true)).toThrow(OverflowFixError);
  });

  const flags = (overflowFix: 'enable' | 'disable' | 'first_layer_only', targetDevice: string | undefined, bits = 8, isFirstLayer = false) =>
    weightRangeFlags({ overflowFix, targetDevice, bits, isFirstLayer });

  it('8-bit weights on CPU / ANY (and the default target) get half range and lose narrow range', () => {
    for (const d of ['CPU', 'ANY', undefined]) expect(flags('enable', d)).toEqual({ halfRange: true, narrowRange: false });
  });

  it('not applied on GPU, NPU or TRIAL, nor to other bit widths; 8-bit weights stay narrow', () => {
    for (const d of ['GPU', 'NPU', 'TRIAL']) expect(flags('enable', d)).toEqual({ halfRange: false, narrowRange: true });
    expect(flags('enable', 'CPU', 4)).toEqual({ halfRange: false, narrowRange: false });
    expect(flags('enable', 'CPU', 16)).toEqual({ halfRange: false, narrowRange: false });
  });

  it('first_layer_only applies only to first convolutions; disable never', () => {
    expect(flags('first_layer_only', 'CPU', 8, true)).toEqual({ halfRange: true, narrowRange: false });
    expect(flags('first_layer_only', 'CPU', 8, false)).toEqual({ halfRange: false, narrowRange: true });
    expect(flags('disable', 'ANY', 8, true)).toEqual({ halfRange: false, narrowRange: true });
  });

  it('a half-range weight quantizer quantizes to the 7-bit grid (levels 128, −64..63)', () => {
    const q = new Quantizer({ bits: 8, mode: 'symmetric', signedToForce: true, ...flags('enable', 'CPU') });
    expect(q.levelRange).toEqual({ levelLow: -64, levelHigh: 63, levels: 128 });
    q.dispose();
  });
});

describe('first conv2d/conv3d nodes', () => {
  const f32 = (name: string, dims: number[]): ConstTensor => ({
    name,
    dtype: 'float32',
    dims,
    values: new Float32Array(dims.reduce((a, b) => a * b, 1)),
  });
  const node = (name: string, opType: string, inputs: string[], outputs = [name]): GraphNode => ({
    name,
    opType,
    domain: '',
    inputs,
    outputs,
    attributes: {},
    scope: name,
  });

  it('stops at the first conv on every path from an input; conv1d does not count', () => {
    //  x ─ conv_a ─ relu ─ conv_b
    //  x ─ pool ─ conv1d ─ conv_c          (conv1d has a rank-3 weight: traversed through)
    //  y ─ add(conv_b, y) ─ conv_d         (reached from input y without a conv before it)
    //  w_in is an initializer also listed as a graph input (old ONNX): not a root
    const g = new Graph({
      inputs: [
        { name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] },
        { name: 'y', dtype: 'float32', shape: [1, 3, 8, 8] },
        { name: 'w_in', dtype: 'float32', shape: [3, 3, 1, 1] },
      ],
      outputs: [
        { name: 'conv_d', dtype: 'float32', shape: null },
        { name: 'conv_c', dtype: 'float32', shape: null },
        { name: 'conv_e', dtype: 'float32', shape: null },
      ],
      initializers: [f32('w4', [3, 3, 1, 1]), f32('w3', [3, 3, 1]), f32('w5', [3, 3, 1, 1, 1]), f32('w_in', [3, 3, 1, 1])],
      nodes: [
        node('conv_a', 'Conv', ['x', 'w4']),
        node('relu', 'Relu', ['conv_a']),
        node('conv_b', 'Conv', ['relu', 'w4']),
        node('pool', 'MaxPool', ['x']),
        node('flat', 'Reshape', ['pool']),
        node('conv1d', 'Conv', ['flat', 'w3']),
        node('conv_c', 'Conv', ['conv1d', 'w5']),
        node('add', 'Add', ['conv_b', 'y']),
        node('conv_d', 'Conv', ['add', 'w4']),
        node('conv_e', 'Conv', ['w_in', 'w4']),
      ],
    });
    expect([...firstConvNodeNames(g)].sort()).toEqual(['conv_a', 'conv_c', 'conv_d']);
  });

  it('generic traversal shares one visited set across roots', () => {
    const succ: Record<string, string[]> = { r1: ['a'], r2: ['a', 'T2'], a: ['T1', 'b'], b: ['T1'], T1: ['T3'], T2: [], T3: [] };
    const found = findFirstNodesOfType(['r1', 'r2'], (n) => succ[n], (n) => n.startsWith('T'));
    expect(found.sort()).toEqual(['T1', 'T2']);
  });
});
