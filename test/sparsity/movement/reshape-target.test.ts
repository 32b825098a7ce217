/**
 * Head shapes built at run time (PyTorch's `x.view(x.size()[:-1] + (heads, head_size))` with dynamic
 * axes): reshapeTarget reads constant entries and marks Shape-derived ones; setReshapeEntry rewrites a
 * constant entry in a new initializer (the old one may be shared) and refuses a run-time entry;
 * `--remove-structured` names the layer when a head count or the merged width is not a constant.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../src/algorithms/index.js';
import { removeStructured, type MovementSparsityController } from '../../../src/algorithms/sparsity/index.js';
import { reshapeTarget, setReshapeEntry } from '../../../src/algorithms/sparsity/movement/reshape-target.js';
import { createCompressedModel } from '../../../src/compression/index.js';
import { NNCFConfig } from '../../../src/config/index.js';
import { initBackend } from '../../../src/engine/index.js';
import type { Graph } from '../../../src/graph/index.js';
import { transformerEncoder } from '../../helpers/models.js';
import { OnnxBuilder } from '../../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x [N, T, 8] → Reshape to Concat(N, T, [heads], [4]) (run-time N and T), and to a constant [0, 0, 2, 4]. */
function shapes(heads: 'const' | 'runtime') {
  const b = new OnnxBuilder({ opset: 14 });
  const x = b.input('x', ['N', 'T', 8]);
  const s = b.node('Shape', [x], {}, { name: 'shape' });
  b.initializer('i0', 'int64', [], [0]);
  b.initializer('i1', 'int64', [], [1]);
  b.initializer('i2', 'int64', [], [2]);
  b.ints('ax0', [0]);
  const entry = (i: string, name: string) => b.node('Unsqueeze', [b.node('Gather', [s, i], { axis: 0 }, { name: `${name}/Gather` }), 'ax0'], {}, { name: `${name}/Unsqueeze` });
  b.ints('heads', [2]);
  b.ints('size', [4]);
  // a run-time head count: T (an entry of the input shape) standing where a constant should be
  const h = heads === 'const' ? 'heads' : entry('i2', 'h');
  const target = b.node('Concat', [entry('i0', 'n'), entry('i1', 't'), h, 'size'], { axis: 0 }, { name: 'cat' });
  b.node('Reshape', [x, target], {}, { name: 'split', outputs: ['y'] });
  b.ints('const_shape', [0, 0, 2, 4]);
  b.output(b.node('Reshape', [x, 'const_shape'], {}, { name: 'split2', outputs: ['z'] }), ['N', 'T', 2, 4]);
  b.output('y', ['N', 'T', 2, 4]);
  return b.toGraph();
}
const node = (g: Graph, name: string) => g.nodes.find((n) => n.name === name)!;

describe('run-time head shapes', () => {
  it('reads constant and Shape-derived entries; rewrites a constant entry in a new initializer', () => {
    const g = shapes('const');
    expect(reshapeTarget(g, node(g, 'split'))).toEqual([undefined, undefined, 2, 4]);
    expect(reshapeTarget(g, node(g, 'split2'))).toEqual([0, 0, 2, 4]);
    expect(reshapeTarget(g, node(g, 'cat'))).toBeUndefined(); // not a Reshape
    expect(setReshapeEntry(g, node(g, 'split'), -2, 1, 'g0')).toBe(true);
    expect(node(g, 'cat').inputs[2]).toBe('heads__g0');
    expect(reshapeTarget(g, node(g, 'split'))).toEqual([undefined, undefined, 1, 4]);
    expect(Array.from(g.initializers.get('heads')!.values as BigInt64Array, Number)).toEqual([2]); // the old one untouched
    expect(setReshapeEntry(g, node(g, 'split2'), -1, 3, 'g0')).toBe(true);
    expect(reshapeTarget(g, node(g, 'split2'))).toEqual([0, 0, 2, 3]);
    expect(setReshapeEntry(g, node(g, 'split'), 0, 5, 'g0')).toBe(false); // a run-time entry
  });

  it('a head count computed at run time reads as undefined; an unreadable shape part makes the whole shape unknown', () => {
    const g = shapes('runtime');
    expect(reshapeTarget(g, node(g, 'split'))).toEqual([undefined, undefined, undefined, 4]);
    expect(setReshapeEntry(g, node(g, 'split'), -2, 1, 'g0')).toBe(false);
    // the Shape output itself (3 entries) as a Concat part: its length is not one entry
    node(g, 'cat').inputs[0] = node(g, 'shape').outputs[0];
    expect(reshapeTarget(g, node(g, 'split'))).toBeUndefined();
  });

  it('--remove-structured names the layer when the head split or merge has no constant head entries', async () => {
    const cfg = NNCFConfig.fromObject({ input_info: { sample_size: [2, 4, 16] }, compression: { algorithm: 'movement_sparsity', params: { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 0.5, steps_per_epoch: 2 } } });
    const r = await createCompressedModel(transformerEncoder({ batch: 2, seq: 4, dModel: 16, heads: 2, ff: 32, layers: 1 }).graph, cfg);
    const ctrl = r.controller as MovementSparsityController;
    const layers = new Map(ctrl.sparsifiers.map((s) => [s.name, s.layer]));
    const attention = ctrl.groups.filter((g) => g.kind === 'attention');
    const report = attention[0].members.map((m) => ({ groupId: attention[0].id, layer: m.layer, weightShape: [16, 16] as [number, number], prunedWeightShape: [16, 16] as [number, number], biasShape: [16], prunedBiasShape: [16], keptUnits: [0] }));
    const run = (edit: (g: Graph) => void) => {
      const g = transformerEncoder({ batch: 2, seq: 4, dModel: 16, heads: 2, ff: 32, layers: 1 }).graph;
      edit(g);
      return () => removeStructured(g, attention, layers, report);
    };
    // the split's shape replaced by a tensor computed at run time (the input's own shape)
    const shapeOf = (g: Graph, reshape: string) => {
      const n = g.nodes.find((x) => x.name === reshape)!;
      g.nodes.push({ name: 'dyn/Shape', scope: 'dyn/Shape', opType: 'Shape', domain: '', inputs: ['input'], outputs: ['dyn_shape'], attributes: {} });
      g.tensors.set('dyn_shape', { name: 'dyn_shape', dtype: 'int64', shape: [3] });
      n.inputs[1] = 'dyn_shape';
    };
    expect(run((g) => shapeOf(g, 'layers.0.q/Reshape'))).toThrow(/head split of "layers\.0\.q\/MatMul" is not a Reshape to \[\.\.\., heads, head_size\] with constant heads and head_size/);
    expect(run((g) => shapeOf(g, 'layers.0.attn/Reshape'))).toThrow(/head merge before "layers\.0\.out\/MatMul" is not a Reshape to \[\.\.\., 16\] with a constant last entry/);
    expect(run(() => {})).not.toThrow();
    ctrl.dispose();
  });
});
