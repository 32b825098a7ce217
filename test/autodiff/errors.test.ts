/** Compile-time errors name what is wrong: an op without a rule (type and node), rules registered twice. */
import { describe, expect, it } from 'vitest';
import {
  compileTrainingGraph,
  MissingGradientRuleError,
  opsWithGradientRules,
  registerGradientRule,
} from '../../src/autodiff/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

function modelWith(op: string, second?: string) {
  const b = new OnnxBuilder({ opset: 13 });
  const x = b.input('x', [2, 3]);
  let h = b.node(
    op,
    [b.node('Gemm', [x, b.randomWeight('w1', [3, 4])], { transB: 0 }, { name: 'fc1' })],
    {},
    { name: 'act/odd' },
  );
  if (second)
    h = b.node('Softplus', [b.node(second, [h], {}, { name: 'act/second' })], {}, { name: 'act/third' });
  b.output(
    b.node('Gemm', [h, b.randomWeight('w2', [4, 2])], {}, { name: 'fc2', outputs: ['logits'] }),
    [2, 2],
  );
  return b.toGraph();
}

describe('autodiff errors', () => {
  it('an op without a gradient rule on the path to the loss is named with its node', () => {
    const graph = modelWith('Softsign');
    expect(() => compileTrainingGraph(graph)).toThrow(MissingGradientRuleError);
    expect(() => compileTrainingGraph(graph)).toThrow(/no gradient rule for op Softsign \(node "act\/odd"\)/);
  });

  it('every op without a rule is listed once, with its first node', () => {
    const graph = modelWith('Softsign', 'Softsign');
    let error: MissingGradientRuleError | undefined;
    try {
      compileTrainingGraph(graph);
    } catch (err) {
      error = err as MissingGradientRuleError;
    }
    expect(error).toBeInstanceOf(MissingGradientRuleError);
    expect(error!.missing.map((m) => [m.opType, m.nodeName])).toEqual([
      ['Softsign', 'act/odd'],
      ['Softplus', 'act/third'],
    ]);
    expect(error!.message).toMatch(/Softsign \(node "act\/odd"\), Softplus \(node "act\/third"\)/);
  });

  it('an op with a rule compiles (the same model with Relu)', () => {
    const compiled = compileTrainingGraph(modelWith('Relu'));
    expect(compiled.parameters.map((p) => p.name)).toEqual(['w1', 'w2']);
  });

  it('registering a rule twice throws; the rule list names the covered ops', () => {
    expect(() => registerGradientRule({ opTypes: ['Relu'], backward: () => [] })).toThrow(/registered twice/);
    expect(opsWithGradientRules()).toEqual(
      expect.arrayContaining(['Conv', 'BatchNormalization', 'MaxPool', 'Gemm', 'GlobalAveragePool']),
    );
  });
});
