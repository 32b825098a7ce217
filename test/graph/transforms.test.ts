/**
 * Graph clean-up passes: Identity chains over constants become initializers, Identity / inference
 * Dropout on activations disappear — and the model computes the same (onnxruntime, bit for bit).
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { materializeConstantAliases, removePassThroughNodes } from '../../src/graph/transforms/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt, seededFloats } from '../onnx/ort-utils.js';

const feeds = { input: { dims: [2, 3, 8, 8], data: seededFloats(2 * 3 * 8 * 8, 3) } };
const ops = (g: Graph) => g.nodes.map((n) => n.opType);
const outputBytes = async (g: Graph) => Object.values(await runOrt(exportOnnx(g), feeds, { graphOptimizationLevel: 'disabled' })).map((o) => o.bytes);

/** Two Conv+BN; the second BN reads gamma/beta of the first through an Identity chain (PyTorch's deduplication). */
function sharedParams(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 4 });
  const x = b.input('input', ['N', 3, 8, 8]);
  const bn = (y: string, name: string, gamma: string, beta: string) =>
    b.node('BatchNormalization', [y, gamma, beta, b.uniform(`${name}.mean`, [3], -0.2, 0.2), b.uniform(`${name}.var`, [3], 0.5, 1.5)], { epsilon: 1e-5 }, { name });
  const conv = (y: string, name: string) => b.node('Conv', [y, b.randomWeight(`${name}.w`, [3, 3, 3, 3])], { pads: [1, 1, 1, 1] }, { name });
  const g1 = b.uniform('bn1.gamma', [3], 0.5, 1.5);
  const b1 = b.uniform('bn1.beta', [3], -0.1, 0.1);
  let y = bn(conv(x, 'conv1'), 'bn1', g1, b1);
  const gamma2 = b.node('Identity', [b.node('Identity', [g1], {}, { name: 'alias_a' })], {}, { name: 'alias_b' });
  y = bn(conv(y, 'conv2'), 'bn2', gamma2, b.node('Identity', [b1], {}, { name: 'alias_c' }));
  const out = b.node('Identity', [y], {}, { name: 'out_identity', outputs: ['logits'] });
  b.output(out, ['N', 3, 8, 8]);
  return parseOnnx(b.toBytes());
}

describe('materializeConstantAliases', () => {
  it('turns each Identity over a constant (chains too) into an initializer of its own name; outputs unchanged', async () => {
    const g = sharedParams();
    const before = await outputBytes(g);
    const bn2 = g.node('bn2')!;
    const [gammaName, betaName] = bn2.inputs.slice(1, 3);
    expect(materializeConstantAliases(g).sort()).toEqual(['alias_a', 'alias_b', 'alias_c']);
    // the activation Identity feeding the graph output is not a constant alias
    expect(ops(g).filter((o) => o === 'Identity')).toHaveLength(1);
    expect(g.node('bn2')!.inputs.slice(1, 3)).toEqual([gammaName, betaName]);
    expect(g.initializers.get(gammaName)!.values).toBe(g.initializers.get('bn1.gamma')!.values);
    // the source stays: bn1 still reads it; the intermediate alias_a output was only read by alias_b
    expect(g.initializers.has('bn1.gamma')).toBe(true);
    expect(g.initializers.has(g.nodes.find((n) => n.name === 'alias_a')?.outputs[0] ?? 'alias_a_out')).toBe(false);
    expect(await outputBytes(g)).toEqual(before);
  });

  it('leaves an Identity whose output is a graph output, and a graph without aliases, alone', () => {
    const b = new OnnxBuilder({ opset: 13 });
    b.input('input', [1]);
    b.output(b.node('Identity', [b.scalar('c', 2)], {}, { name: 'id', outputs: ['out'] }), []);
    b.output(b.node('Add', ['input', 'c'], {}, { name: 'add', outputs: ['sum'] }), [1]);
    const g = parseOnnx(b.toBytes());
    expect(materializeConstantAliases(g)).toEqual([]);
    expect(ops(g)).toEqual(['Identity', 'Add']);
  });
});

describe('removePassThroughNodes', () => {
  function chain(opts: { dropoutMask?: boolean; trainingMode?: boolean } = {}): Graph {
    const b = new OnnxBuilder({ opset: 13, seed: 5 });
    const x = b.input('input', ['N', 3, 8, 8]);
    const c = b.node('Conv', [x, b.randomWeight('w', [3, 3, 3, 3])], { pads: [1, 1, 1, 1] }, { name: 'conv', outputs: ['conv_out'] });
    const i = b.node('Identity', [c], {}, { name: 'id', outputs: ['id_out'] });
    const dropInputs = opts.trainingMode === undefined ? [i] : [i, b.scalar('ratio', 0.5), b.initializer('train', 'bool', [], [opts.trainingMode ? 1 : 0])];
    const [d, mask] = b.nodeOutputs('Dropout', dropInputs, {}, { name: 'drop', outputs: ['drop_out', 'drop_mask'] });
    b.output(b.node('Relu', [d], {}, { name: 'relu', outputs: ['logits'] }), ['N', 3, 8, 8]);
    if (opts.dropoutMask) b.output(mask, ['N', 3, 8, 8], 'bool');
    return parseOnnx(b.toBytes());
  }

  it('removes Identity and inference Dropout; the producer writes the last name; outputs unchanged', async () => {
    const g = chain();
    const before = await outputBytes(g);
    expect(removePassThroughNodes(g)).toEqual(['id', 'drop']);
    expect(ops(g)).toEqual(['Conv', 'Relu']);
    expect(g.node('conv')!.outputs).toEqual(['drop_out']);
    expect(await outputBytes(g)).toEqual(before);
  });

  it('keeps a Dropout in training mode or with its mask used, and a node whose input is in `keep`', () => {
    expect(ops((() => { const g = chain({ trainingMode: true }); removePassThroughNodes(g); return g; })())).toEqual(['Conv', 'Dropout', 'Relu']);
    expect(ops((() => { const g = chain({ trainingMode: false }); removePassThroughNodes(g); return g; })())).toEqual(['Conv', 'Relu']);
    expect(ops((() => { const g = chain({ dropoutMask: true }); removePassThroughNodes(g); return g; })())).toEqual(['Conv', 'Dropout', 'Relu']);
    const g = chain();
    expect(removePassThroughNodes(g, new Set(['conv_out']))).toEqual(['drop']);
    expect(ops(g)).toEqual(['Conv', 'Identity', 'Relu']);
  });

  it('keeps an Identity reading a graph input or a tensor with another reader', () => {
    const b = new OnnxBuilder({ opset: 13 });
    const x = b.input('input', [2]);
    const i = b.node('Identity', [x], {}, { name: 'id_in' });
    const r = b.node('Relu', [i], {}, { name: 'relu' });
    const j = b.node('Identity', [r], {}, { name: 'id_shared' });
    b.output(b.node('Add', [j, r], {}, { name: 'add', outputs: ['out'] }), [2]);
    const g = parseOnnx(b.toBytes());
    expect(removePassThroughNodes(g)).toEqual([]);
    expect(ops(g)).toEqual(['Identity', 'Relu', 'Identity', 'Add']);
  });
});
