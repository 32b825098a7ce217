/**
 * The plug-in point compression ops will use: a node of a custom domain (as a fake quantizer will be)
 * gets a rule whose forward emits standard ops and whose backward is its own (here: y = s·x, STE-like
 * dx = s·dy). The compiled graph runs on ORT and its gradients equal those of the same model written
 * with a standard Mul, within 1e-6.
 */
import { describe, expect, it } from 'vitest';
import {
  compileTrainingGraph,
  findGradientRule,
  floatAttr,
  registerGradientRule,
} from '../../src/autodiff/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { ortGradients, relativeError, seededBatch } from './helpers.js';

const DOMAIN = 'test.nncf';

registerGradientRule(
  {
    opTypes: ['ScaleBy'],
    forward: ({ emit, node }) => {
      emit.nodeOutputs(
        'Mul',
        [node.inputs[0], emit.floats([floatAttr(node, 'scale', 1)], [])],
        {},
        [node.outputs[0]],
        node.name,
      );
      return {};
    },
    backward: ({ emit, node, dOutputs }) => [
      emit.op('Mul', [dOutputs[0]!, emit.floats([floatAttr(node, 'scale', 1)], [])], {}, node.name),
    ],
  },
  DOMAIN,
);

function model(custom: boolean) {
  const b = new OnnxBuilder({ opset: 13, seed: 3, extraOpsets: { [DOMAIN]: 1 } });
  const x = b.input('x', [3, 2, 5, 5]);
  const h = b.node(
    'Conv',
    [x, b.randomWeight('c.weight', [4, 2, 3, 3])],
    { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
    { name: 'c' },
  );
  const s = custom
    ? b.node('ScaleBy', [h], { scale: 0.75 }, { name: 'q', domain: DOMAIN, outputs: ['q_out'] })
    : b.node('Mul', [h, b.scalar('k', 0.75)], {}, { name: 'q', outputs: ['q_out'] });
  const flat = b.node('Flatten', [b.node('Relu', [s])], { axis: 1 });
  b.output(
    b.node('Gemm', [flat, b.randomWeight('fc.weight', [5, 100])], { transB: 1 }, { outputs: ['logits'] }),
    [3, 5],
  );
  const graph = b.toGraph();
  // Shape inference does not know the custom op: give its output the Conv output's shape.
  graph.tensors.set('q_out', { name: 'q_out', dtype: 'float32', shape: [3, 4, 5, 5] });
  return graph;
}

describe('custom-domain nodes with their own rule', () => {
  it('compile to standard ops and train like their standard equivalent', async () => {
    expect(findGradientRule({ opType: 'ScaleBy', domain: DOMAIN })).toBeDefined();
    expect(findGradientRule({ opType: 'ScaleBy', domain: '' })).toBeUndefined();
    const custom = model(true);
    const compiled = compileTrainingGraph(custom);
    expect(compiled.graph.nodes.every((n) => n.domain === '')).toBe(true);
    const batch = seededBatch(custom, 4, 5);
    const a = await ortGradients(custom, batch);
    const b = await ortGradients(model(false), batch);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-6);
    expect([...a.gradients.keys()].sort()).toEqual(['c.weight', 'fc.weight']);
    for (const [name, g] of a.gradients)
      expect(relativeError(g, b.gradients.get(name)!), name).toBeLessThan(1e-6);
  });
});
