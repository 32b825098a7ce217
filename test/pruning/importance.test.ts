/**
 * Issue 14 item 2: filter importance as NNCF computes it (filter_pruning/functions.py: L1 / L2 norm of
 * each filter, geometric median = Σ_j ‖f_i − f_j‖₂; `all_weights` divides the weight by its L2 norm
 * first), hand-computed; through the builder, `filter_importance` chooses which filters go (L1 and L2
 * disagree on a spiky vs a flat filter), and `prune_batch_norms` decides whether the BN scale/shift of
 * the pruned channels are masked too.
 */
import { describe, expect, it } from 'vitest';
import '../../src/api.js';
import { filterImportance, type FilterPruningController } from '../../src/algorithms/pruning/index.js';
import { createCompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

const close = (a: ArrayLike<number>, b: number[]) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 12));

describe('filter importance (NNCF functions.py)', () => {
  // 3 filters of 2 values: [3, −4], [1, 0], [0, 2]
  const w = [3, -4, 1, 0, 0, 2];
  it('L1, L2 and geometric median along axis 0', () => {
    close(filterImportance('L1', w, [3, 2, 1, 1], 0), [7, 1, 2]);
    close(filterImportance('L2', w, [3, 2, 1, 1], 0), [5, 1, 2]);
    // distances: d01 = √(4 + 16) = √20, d02 = √(9 + 36) = √45, d12 = √(1 + 4) = √5
    close(filterImportance('geometric_median', w, [3, 2, 1, 1], 0), [Math.sqrt(20) + Math.sqrt(45), Math.sqrt(20) + Math.sqrt(5), Math.sqrt(45) + Math.sqrt(5)]);
  });
  it('axis 1 (ConvTranspose [in, out, …]): the filters are the columns; normalize divides by ‖W‖₂ = √30', () => {
    // [2, 3]: rows (3, −4, 1), (0, 0, 2) → filters (columns) (3, 0), (−4, 0), (1, 2)
    close(filterImportance('L1', w, [2, 3, 1, 1], 1), [3, 4, 3]);
    close(filterImportance('L2', w, [2, 3, 1, 1], 1, true), [3 / Math.sqrt(30), 4 / Math.sqrt(30), Math.sqrt(5) / Math.sqrt(30)]);
  });
});

/**
 * stem (3→8, 1×1, first conv: not pruned) → b (8→16, 1×1) → BN → Relu → c (16→4, 1×1) → GAP → Flatten → fc
 * (groups: b, and c whose 4 filters stay: 2 remaining round up to 8).
 * b's filters 0–7 are spiky (one entry 3 + i/100: L1 = L2 = 3.0x), 8–15 flat (all 8 entries 0.5 + i/100:
 * L1 ≈ 4.x, L2 ≈ 1.4x): at level 0.5 L1 prunes the spiky half, L2 the flat half.
 */
function spikyFlat() {
  const b = new OnnxBuilder({ opset: 13, seed: 5 });
  const x = b.input('x', [1, 3, 4, 4]);
  let y = b.node('Conv', [x, b.randomWeight('stem.weight', [8, 3, 1, 1])], { kernel_shape: [1, 1] }, { name: 'stem' });
  const bw: number[] = [];
  for (let f = 0; f < 16; f++) for (let i = 0; i < 8; i++) bw.push(f < 8 ? (i === f % 8 ? 3 + f / 100 : 0) : 0.5 + f / 100);
  y = b.node('Conv', [y, b.initializer('b.weight', 'float32', [16, 8, 1, 1], bw), b.uniform('b.bias', [16], -0.1, 0.1)], { kernel_shape: [1, 1] }, { name: 'b' });
  y = b.node('BatchNormalization', [y, b.uniform('bn.weight', [16], 0.5, 1.5), b.uniform('bn.bias', [16], 0.1, 0.2), b.uniform('bn.mean', [16], -0.1, 0.1), b.uniform('bn.var', [16], 0.5, 1.5)], { epsilon: 1e-5 }, { name: 'bn' });
  y = b.node('Relu', [y], {}, { name: 'relu' });
  y = b.node('Conv', [y, b.randomWeight('c.weight', [4, 16, 1, 1])], { kernel_shape: [1, 1] }, { name: 'c' });
  y = b.node('Flatten', [b.node('GlobalAveragePool', [y], {}, { name: 'gap' })], { axis: 1 }, { name: 'flat' });
  b.output(b.node('Gemm', [y, b.randomWeight('fc.weight', [2, 4])], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), [1, 2]);
  return b.toGraph();
}

async function prune(params: object) {
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 3, 4, 4] }, compression: { algorithm: 'filter_pruning', params: { pruning_target: 0.5, schedule: 'baseline', ...params } } });
  const r = await createCompressedModel(spikyFlat(), config);
  const c = r.controller as FilterPruningController;
  c.scheduler.epochStep();
  return c;
}
const spiky = [...new Array(8).fill(0), ...new Array(8).fill(1)];

describe('filter_importance and prune_batch_norms through filter_pruning', () => {
  it('L1 prunes the spiky filters, L2 (the default) the flat ones', async () => {
    const l1 = await prune({ filter_importance: 'L1' });
    expect(l1.groups.map((g) => g.members.map((m) => m.node.name))).toEqual([['b'], ['c']]);
    expect(Array.from(l1.keep[0])).toEqual(spiky);
    expect(Array.from(l1.keep[1])).toEqual([1, 1, 1, 1]); // 4 filters: 2 remaining rounded up to 8 → none pruned
    const l2 = await prune({});
    expect(Array.from(l2.keep[0])).toEqual(spiky.map((k) => 1 - k));
    l1.dispose();
    l2.dispose();
  });

  it('prune_batch_norms (default true) masks the BN scale and shift of the pruned channels; false leaves them', async () => {
    const on = await prune({ filter_importance: 'L1' });
    expect(on.params.map((p) => p.name).sort()).toEqual(['b.bias', 'b.weight', 'bn.bias', 'bn.weight', 'c.weight']);
    expect(Array.from(on.params.find((p) => p.name === 'bn.weight')!.mask.dataSync())).toEqual(spiky);
    const off = await prune({ filter_importance: 'L1', prune_batch_norms: false });
    expect(off.params.map((p) => p.name).sort()).toEqual(['b.bias', 'b.weight', 'c.weight']);
    on.dispose();
    off.dispose();
  });
});
