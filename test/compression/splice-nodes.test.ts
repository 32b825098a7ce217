/**
 * spliceCompressionNodes: node forms of insertion commands become compression-domain nodes at their
 * points (weight, tensor after its producer, per-consumer, chained in order), their inputs become
 * trainable parameters or fed inputs of the training graph, and the compiled graph trains exactly like
 * the same model written with standard Mul nodes.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTrainingGraph, OrtTrainerStep, registerGradientRule } from '../../src/autodiff/index.js';
import { maskNodeForm } from '../../src/algorithms/common/mask-node.js';
import {
  COMPRESSION_DOMAIN,
  nodeInputGradient,
  nodeInputValue,
  refreshNodeInputs,
  spliceCompressionNodes,
  SpliceError,
  type CompressionNodeInput,
  type InsertionCommand,
  type InsertionPoint,
} from '../../src/compression/index.js';
import type { Graph } from '../../src/graph/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { relativeError, seededBatch } from '../autodiff/helpers.js';

// A trainable scale y = x·s (s 0-d): exercises the parameter path (gradient Σ dy·x back to s).
registerGradientRule(
  {
    opTypes: ['TestScale'],
    parameterPorts: [0],
    forward: ({ emit, node }) => {
      emit.nodeOutputs('Mul', [node.inputs[0], node.inputs[1]], {}, [node.outputs[0]], node.name);
      return {};
    },
    backward: ({ emit, node, dOutputs }) => [
      emit.op('Mul', [dOutputs[0]!, node.inputs[1]], {}, node.name),
      emit.op('ReduceSum', [emit.op('Mul', [dOutputs[0]!, node.inputs[0]], {}, node.name)], { keepdims: 0 }, node.name),
    ],
  },
  COMPRESSION_DOMAIN,
);

const MASK_W = [1, 0, 1, 0.5];
const MASK_A = [0, 1, 1, 1];
const SCALE = 0.8;

/** x → Conv(c) → h; h → Relu(r) and h → Sigmoid(s); r·k + s → Flatten → Gemm → logits. `mul` writes the masks as Mul nodes. */
function model(mul: boolean, maskW = MASK_W): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 5 });
  const x = b.input('x', [3, 2, 5, 5]);
  let w = b.randomWeight('c.weight', [4, 2, 3, 3]);
  if (mul) w = b.node('Mul', [w, b.initializer('mw', 'float32', [4, 1, 1, 1], maskW)]);
  const h = b.node('Conv', [x, w, b.randomWeight('c.bias', [4])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'c', outputs: ['h'] });
  const r = b.node('Relu', [h], {}, { name: 'r', outputs: ['r_out'] });
  const hs = mul ? b.node('Mul', [h, b.initializer('ma', 'float32', [1, 4, 1, 1], MASK_A)]) : h;
  const s = b.node('Sigmoid', [hs], {}, { name: 's', outputs: ['s_out'] });
  const rs = mul ? b.node('Mul', [r, b.scalar('test/scale', SCALE)]) : r;
  const flat = b.node('Flatten', [b.node('Add', [rs, s], {}, { name: 'add' })], { axis: 1 });
  b.output(b.node('Gemm', [flat, b.randomWeight('fc.weight', [5, 100]), b.randomWeight('fc.bias', [5])], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), [3, 5]);
  return b.toGraph();
}

const identity = (x: tf.Tensor) => x;
const input = (name: string, value: tf.Tensor, trainable = false): CompressionNodeInput => ({ name, value, trainable });
const command = (owner: string, point: InsertionPoint, node: InsertionCommand['node']): InsertionCommand => ({ owner, point, fn: identity, node });
const maskCmd = (point: InsertionPoint, name: string, values: number[], dims: number[]) =>
  command('sparsity', point, maskNodeForm({ name, value: tf.tensor(values, dims) }));
const scaleCmd = (point: InsertionPoint, s: tf.Tensor) => command('test', point, { opType: 'TestScale', inputs: [input('test/scale', s, true)] });
const compressionNodes = (g: Graph) => g.nodes.filter((n) => n.domain === COMPRESSION_DOMAIN);

describe('spliceCompressionNodes', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('a weight point sits between the initializer and every consumer', () => {
    const src = model(false);
    const { graph, feeds } = spliceCompressionNodes(src, [maskCmd({ kind: 'weight', name: 'c.weight' }, 'm/w', MASK_W, [4, 1, 1, 1])]);
    const [m] = compressionNodes(graph);
    expect(m.opType).toBe('Mask');
    expect(m.inputs).toEqual(['c.weight', 'm/w']);
    expect(graph.node('c')!.inputs[1]).toBe(m.outputs[0]);
    expect(graph.tensor(m.outputs[0])).toMatchObject({ dtype: 'float32', shape: [4, 2, 3, 3] });
    expect(graph.initializers.get('m/w')).toMatchObject({ dtype: 'float32', dims: [4, 1, 1, 1] });
    expect([...feeds.keys()]).toEqual(['m/w']);
    expect(graph.opsets.get(COMPRESSION_DOMAIN)).toBe(1);
    // The source graph is untouched.
    expect(src.node('c')!.inputs[1]).toBe('c.weight');
    expect(compressionNodes(src)).toHaveLength(0);
    graph.validate();
  });

  it('a tensor point follows the producer (every reader, graph outputs included, sees the new value)', () => {
    const { graph } = spliceCompressionNodes(model(false), [
      maskCmd({ kind: 'tensor', name: 'h' }, 'm/h', MASK_A, [1, 4, 1, 1]),
      maskCmd({ kind: 'tensor', name: 'logits' }, 'm/logits', [1, 1, 0, 1, 1], [1, 5]),
    ]);
    const [mh, ml] = compressionNodes(graph);
    expect(mh.outputs).toEqual(['h']);
    expect(graph.node('c')!.outputs[0]).toBe(mh.inputs[0]);
    expect(graph.tensor(mh.inputs[0])?.shape).toEqual([3, 4, 5, 5]);
    expect(graph.node('r')!.inputs).toEqual(['h']);
    expect(graph.node('s')!.inputs).toEqual(['h']);
    expect(ml.outputs).toEqual(['logits']);
    expect(graph.producer(ml.inputs[0])?.name).toBe('fc');
    graph.validate();
  });

  it('a per-consumer point changes what only the listed consumers read', () => {
    const { graph } = spliceCompressionNodes(model(false), [maskCmd({ kind: 'tensor', name: 'h', consumers: ['s'] }, 'm/h', MASK_A, [1, 4, 1, 1])]);
    const [m] = compressionNodes(graph);
    expect(m.inputs[0]).toBe('h');
    expect(graph.node('s')!.inputs).toEqual([m.outputs[0]]);
    expect(graph.node('r')!.inputs).toEqual(['h']);
    expect(graph.node('c')!.outputs).toEqual(['h']);
  });

  it('commands on one point chain in command order; whole-tensor nodes precede per-consumer ones', () => {
    const s = tf.scalar(SCALE);
    const { graph, nodes } = spliceCompressionNodes(model(false), [
      maskCmd({ kind: 'weight', name: 'c.weight' }, 'm/w', MASK_W, [4, 1, 1, 1]),
      scaleCmd({ kind: 'weight', name: 'c.weight' }, s),
      maskCmd({ kind: 'tensor', name: 'h', consumers: ['s'] }, 'm/h', MASK_A, [1, 4, 1, 1]),
      maskCmd({ kind: 'tensor', name: 'h' }, 'm/h2', [1, 1, 1, 1], [1, 4, 1, 1]),
      maskCmd({ kind: 'tensor', name: 'h' }, 'm/h3', [1, 1, 1, 1], [1, 4, 1, 1]),
    ]);
    const [mw, sw, mhs, mh2, mh3] = nodes;
    expect(mw.inputs[0]).toBe('c.weight');
    expect(sw.inputs[0]).toBe(mw.outputs[0]);
    expect(graph.node('c')!.inputs[1]).toBe(sw.outputs[0]);
    // Conv → mh2 → mh3 → "h"; the per-consumer mask reads "h" (after both) and feeds only Sigmoid.
    expect(graph.producer(mh2.inputs[0])?.name).toBe('c');
    expect(mh3.inputs[0]).toBe(mh2.outputs[0]);
    expect(mh3.outputs[0]).toBe('h');
    expect(mhs.inputs[0]).toBe('h');
    expect(graph.node('s')!.inputs).toEqual([mhs.outputs[0]]);
    const order = graph.nodes.map((n) => n.name);
    expect(order.indexOf(mh2.name)).toBeLessThan(order.indexOf(mh3.name));
    expect(order.indexOf(mh3.name)).toBeLessThan(order.indexOf(mhs.name));
    graph.validate();
    s.dispose();
  });

  it('a shared input (one set of parameters read at several points) is added once', () => {
    const s = tf.scalar(SCALE);
    const { graph, feeds } = spliceCompressionNodes(model(false), [
      scaleCmd({ kind: 'tensor', name: 'r_out' }, s),
      scaleCmd({ kind: 'tensor', name: 's_out' }, s),
    ]);
    expect([...feeds.keys()]).toEqual(['test/scale']);
    expect(compressionNodes(graph).map((n) => n.inputs[1])).toEqual(['test/scale', 'test/scale']);
    s.dispose();
  });

  it('compiles to a training graph whose loss and gradients equal the Mul-written model (1e-6); fed masks change without a recompile', async () => {
    const s = tf.variable(tf.scalar(SCALE));
    const spliced = spliceCompressionNodes(model(false), [
      maskCmd({ kind: 'weight', name: 'c.weight' }, 'mw', MASK_W, [4, 1, 1, 1]),
      maskCmd({ kind: 'tensor', name: 'h', consumers: ['s'] }, 'ma', MASK_A, [1, 4, 1, 1]),
      scaleCmd({ kind: 'tensor', name: 'r_out' }, s),
    ]);
    const compiled = compileTrainingGraph(spliced.graph, spliced.compileOptions);
    expect(compiled.graph.nodes.every((n) => n.domain === '')).toBe(true);
    expect(compiled.parameters.map((p) => p.name).sort()).toEqual(['c.bias', 'c.weight', 'fc.bias', 'fc.weight', 'test/scale']);
    expect(compiled.fed.map((f) => f.name).sort()).toEqual(['ma', 'mw']);
    const batch = seededBatch(spliced.graph, 7, 5);
    const step = await OrtTrainerStep.create(compiled, { threads: 1 });
    const reference = async (maskW: number[]) => {
      const ref = compileTrainingGraph(model(true, maskW), { trainable: (n) => (n === 'test/scale' || n === 'c.weight' ? true : undefined) });
      const rs = await OrtTrainerStep.create(ref, { threads: 1 });
      try {
        return await rs.step({ data: batch.data, shape: batch.shape }, batch.labels);
      } finally {
        await rs.release();
      }
    };
    try {
      for (const maskW of [MASK_W, [0, 1, 0.25, 1]]) {
        const mw = spliced.feeds.get('mw')!;
        mw.value.dispose();
        mw.value = tf.tensor(maskW, [4, 1, 1, 1]);
        refreshNodeInputs(spliced.feeds, step);
        const a = await step.step({ data: batch.data, shape: batch.shape }, batch.labels);
        const b = await reference(maskW);
        expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-6);
        expect([...a.gradients.keys()].sort()).toEqual([...b.gradients.keys()].sort());
        for (const [name, g] of a.gradients) expect(relativeError(g, b.gradients.get(name)!), name).toBeLessThan(1e-6);
        // A masked-out filter gets no gradient through the mask.
        if (maskW[0] === 0) expect(Math.max(...a.gradients.get('c.weight')!.slice(0, 18).map(Math.abs))).toBe(0);
      }
    } finally {
      await step.release();
      for (const f of spliced.feeds.values()) f.value.dispose();
    }
  }, 120_000);

  it('node inputs in the engine layout cross through toOnnx/fromOnnx', () => {
    const native = tf.tensor([1, 2, 3, 4, 5, 6], [3, 2]); // ONNX layout is its transpose [2, 3]
    const inp: CompressionNodeInput = { name: 'n', value: native, trainable: true, toOnnx: (t) => tf.transpose(t), fromOnnx: (g) => tf.transpose(g) };
    const before = tf.memory().numTensors;
    const { dims, values } = nodeInputValue(inp);
    expect(dims).toEqual([2, 3]);
    expect([...values]).toEqual([1, 3, 5, 2, 4, 6]);
    expect(tf.memory().numTensors).toBe(before);
    const g = nodeInputGradient(inp, Float32Array.from([1, 3, 5, 2, 4, 6]), dims);
    expect(g.shape).toEqual([3, 2]);
    expect([...g.dataSync()]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tf.memory().numTensors).toBe(before + 1);
    g.dispose();
    native.dispose();
  });

  it('errors name the owner and the point', () => {
    const g = model(false);
    const t = tf.tensor([1, 1, 1, 1], [4, 1, 1, 1]);
    const noNode: InsertionCommand = { owner: 'rb_sparsity', point: { kind: 'weight', name: 'c.weight' }, fn: identity };
    expect(() => spliceCompressionNodes(g, [noNode])).toThrow(SpliceError);
    expect(() => spliceCompressionNodes(g, [noNode])).toThrow(/rb_sparsity command at weight "c.weight" has no graph-node form/);
    const mask = (point: InsertionPoint, name = 'm') => command('pruning', point, maskNodeForm({ name, value: t }));
    expect(() => spliceCompressionNodes(g, [mask({ kind: 'weight', name: 'nope' })])).toThrow(/pruning command's weight "nope" is not in the graph/);
    expect(() => spliceCompressionNodes(g, [mask({ kind: 'tensor', name: 'nope' })])).toThrow(/tensor "nope" is not in the graph/);
    expect(() => spliceCompressionNodes(g, [mask({ kind: 'tensor', name: 'h', consumers: ['zz'] })])).toThrow(/consumer "zz", which is not in the graph/);
    expect(() => spliceCompressionNodes(g, [mask({ kind: 'tensor', name: 'h', consumers: ['fc'] })])).toThrow(/node "fc" does not read "h"/);
    expect(() => spliceCompressionNodes(g, [mask({ kind: 'weight', name: 'c.weight' }, 'fc.weight')])).toThrow(/input "fc.weight" clashes/);
    const other = command('pruning', { kind: 'tensor', name: 'h' }, maskNodeForm({ name: 'm', value: tf.ones([1, 4, 1, 1]) }));
    expect(() => spliceCompressionNodes(g, [mask({ kind: 'weight', name: 'c.weight' }), other])).toThrow(/two compression inputs are named "m"/);
    other.node!.inputs[0].value.dispose();
    t.dispose();
  });
});
