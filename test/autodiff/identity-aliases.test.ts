/**
 * A PyTorch BN-kept export shares equal initializers through Identity nodes (every fresh BN has γ = 1,
 * β = 0, mean = 0, var = 1). The training graph must still see each BatchNormalization's γ/β as
 * parameters and its running statistics as state: compiled from the raw graph, it trains what the tfjs
 * engine trains on the same graph with the aliases made initializers (as createCompressedModel does).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTrainingGraph } from '../../src/autodiff/index.js';
import { initBackend } from '../../src/engine/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { materializeConstantAliases } from '../../src/graph/transforms/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { engineGradients } from './engine-reference.js';
import { ortGradients, relativeError, seededBatch } from './helpers.js';

/** Conv→BN→Relu twice, then Gemm; the second BN reads all four of the first BN's values through Identity (a chain for γ). */
function aliasedBnModel(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 6 });
  const x = b.input('input', [4, 2, 6, 6]);
  const conv = (y: string, name: string, cin: number) =>
    b.node('Conv', [y, b.randomWeight(`${name}.w`, [3, cin, 3, 3])], { pads: [1, 1, 1, 1] }, { name });
  const bn = (y: string, name: string, v: string[]) => b.node('BatchNormalization', [y, ...v], { epsilon: 1e-5, momentum: 0.9 }, { name });
  const shared = [b.uniform('bn1.gamma', [3], 0.8, 1.2), b.uniform('bn1.beta', [3], -0.1, 0.1), b.uniform('bn1.mean', [3], -0.1, 0.1), b.uniform('bn1.var', [3], 0.8, 1.2)];
  let y = b.node('Relu', [bn(conv(x, 'conv1', 2), 'bn1', shared)], {}, { name: 'relu1' });
  const alias = (v: string, i: number) => b.node('Identity', [v], {}, { name: `alias${i}` });
  const aliases = [b.node('Identity', [alias(shared[0], 0)], {}, { name: 'alias0b' }), ...shared.slice(1).map((v, i) => alias(v, i + 1))];
  y = b.node('Relu', [bn(conv(y, 'conv2', 3), 'bn2', aliases)], {}, { name: 'relu2' });
  y = b.node('Flatten', [y], { axis: 1 }, { name: 'flatten' });
  const logits = b.node('Gemm', [y, b.randomWeight('fc.w', [5, 3 * 36]), b.uniform('fc.b', [5], -0.1, 0.1)], { transB: 1 }, { name: 'fc', outputs: ['logits'] });
  b.output(logits, [4, 5]);
  return parseOnnx(b.toBytes());
}

describe('BatchNormalization parameters behind Identity aliases', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('each BN gets its own γ/β parameters and running statistics; gradients equal the engine on the materialized graph (1e-4)', async () => {
    const raw = aliasedBnModel();
    const bn2 = raw.node('bn2')!.inputs.slice(1);
    expect(bn2.every((n) => !raw.initializers.has(n))).toBe(true); // the aliases are Identity outputs
    const compiled = compileTrainingGraph(raw);
    const params = compiled.parameters.map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['bn1.gamma', 'bn1.beta', bn2[0], bn2[1]]));
    expect(compiled.state.map((s) => s.name).sort()).toEqual(['bn1.mean', 'bn1.var', bn2[2], bn2[3]].sort());
    expect(raw.nodes.filter((n) => n.opType === 'Identity')).toHaveLength(5); // the caller's graph is untouched

    const batch = seededBatch(raw, 3, 5);
    const ort = await ortGradients(raw, batch);
    const materialized = aliasedBnModel();
    materializeConstantAliases(materialized);
    const ref = engineGradients(materialized, batch);
    expect([...params].sort()).toEqual([...ref.names].sort());
    expect(Math.abs(ort.loss - ref.loss)).toBeLessThan(1e-5);
    for (const p of params) expect(relativeError(ort.gradients.get(p)!, ref.gradients.get(p)!), p).toBeLessThan(1e-4);
    // the two BNs' γ got different gradients: they are separate parameters, not one shared value
    expect(relativeError(ort.gradients.get(bn2[0])!, ort.gradients.get('bn1.gamma')!)).toBeGreaterThan(1e-2);
    // bn2's running mean moved from bn1's initial values by 0.1 of its own batch mean
    const mean0 = raw.initializers.get('bn1.mean')!.values as Float32Array;
    const moved = ort.state.get(bn2[2])!;
    expect(relativeError(moved, mean0)).toBeGreaterThan(1e-3);
    expect(relativeError(ort.state.get('bn1.mean')!, moved)).toBeGreaterThan(1e-3);
  }, 120_000);
});
