/**
 * Range statistics of one quantizer with two insertion points, as NNCF collects them: the collector
 * hangs on the quantizer module, which runs once per point, so each point's tensor is one registered
 * input (in execution order) and the limit ceil(num_init_samples / batch_size) counts registrations.
 *
 * Model (CPU placement unifies the Concat inputs into one quantizer `add/Add|OUTPUT`):
 *   x [N,2,3,3] → conv1 (1×1 identity) → Relu = relu(x) → conv2 (1×1 identity) → Add(·, x) = relu(x) + x
 *   Concat(relu, add) → conv3.
 * 12 samples, batch 4, num_init_samples 12 → 3 batches run, and the shared quantizer registers
 * relu(batch 1), add(batch 1), relu(batch 2) — then it is full (relu(x) + x is x where x < 0, 2x elsewhere). Expected values are computed here from
 * those three arrays with plain loops (np.percentile's linear interpolation), for all six init types,
 * symmetric and asymmetric, on onnxruntime-node and on the engine.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { placeQuantizers } from '../../src/algorithms/quantization/placement/index.js';
import { createCompressedModel, quantizationReport, type QuantizationController } from '../../src/api.js';
import { CompressedModel, type RangeTarget } from '../../src/compression/index.js';
import { NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import { Dataset, ndarray, Random } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { collectRangeStatistics } from '../../src/initialization/index.js';
import type { RangeInitType } from '../../src/initialization/range/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

const N = 12;
const BATCH = 4;
const SAMPLE = 2 * 3 * 3;
const SHARED = 'add/Add|OUTPUT';

function graph(): Graph {
  const b = new OnnxBuilder({ opset: 13, name: 'shared-quantizer' });
  const eye = (name: string) => b.initializer(name, 'float32', [2, 2, 1, 1], [1, 0, 0, 1]);
  const x = b.input('x', ['N', 2, 3, 3]);
  const c1 = b.node('Conv', [x, eye('conv1.weight')], {}, { name: 'conv1/Conv' });
  const r = b.node('Relu', [c1], {}, { name: 'relu/Relu', outputs: ['relu'] });
  const c2 = b.node('Conv', [r, eye('conv2.weight')], {}, { name: 'conv2/Conv' });
  const a = b.node('Add', [c2, x], {}, { name: 'add/Add', outputs: ['add'] });
  const cat = b.node('Concat', [r, a], { axis: 1 }, { name: 'cat/Concat' });
  b.node('Conv', [cat, b.initializer('conv3.weight', 'float32', [2, 4, 1, 1], [0.5, -0.25, 1, 0.75, -1, 0.5, 0.25, 1])], {}, { name: 'conv3/Conv', outputs: ['y'] });
  b.output('y', ['N', 2, 3, 3]);
  return b.toGraph();
}

const xs = (() => {
  const r = new Random(7);
  return Float32Array.from({ length: N * SAMPLE }, () => r.normal());
})();
const dataset = () => new Dataset(ndarray('float32', [N, 2, 3, 3], xs.slice()));

/** The three registered inputs of the shared quantizer, each [4 samples × 18 values]. */
function registered(): Float32Array[] {
  const batch = (b: number) => xs.subarray(b * BATCH * SAMPLE, (b + 1) * BATCH * SAMPLE);
  const relu = (b: number) => Float32Array.from(batch(b), (v) => Math.max(v, 0));
  const add = (b: number) => Float32Array.from(batch(b), (v) => Math.fround(Math.max(v, 0) + v));
  return [relu(0), add(0), relu(1)];
}

function quantile(values: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(values).sort();
  const pos = q * (a.length - 1);
  const lo = Math.floor(pos);
  return lo + 1 < a.length ? a[lo] + (a[lo + 1] - a[lo]) * (pos - lo) : a[lo];
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const rows = (t: Float32Array) => Array.from({ length: t.length / SAMPLE }, (_, i) => t.subarray(i * SAMPLE, (i + 1) * SAMPLE));
const minOf = (t: ArrayLike<number>) => Math.min(...Array.from(t));
const maxOf = (t: ArrayLike<number>, abs: boolean) => Math.max(...Array.from(t, (v) => (abs ? Math.abs(v) : v)));

/** NNCF's statistic for the shared quantizer, by hand. */
function expected(type: RangeInitType, mode: 'symmetric' | 'asymmetric', pct = { min: 0.1, max: 99.9 }): [number, number] {
  const regs = registered();
  const sym = mode === 'symmetric';
  const all = regs.flatMap((r) => Array.from(r));
  switch (type) {
    case 'min_max':
      return [Math.min(...all), maxOf(all, sym)];
    case 'mixed_min_max': {
      const samples = regs.flatMap(rows); // per-sample reduction, 12 rows
      const mins = samples.map(minOf);
      return [sym ? Math.min(...mins) : mean(mins), mean(samples.map((s) => maxOf(s, sym)))];
    }
    case 'mean_min_max':
      return [mean(regs.map(minOf)), mean(regs.map((r) => maxOf(r, sym)))];
    case 'threesigma': {
      const med = quantile(all.filter((v) => Math.abs(v) >= 2 ** -23), 0.5);
      const mad = quantile(all.map((v) => Math.abs(v - med)), 0.5);
      return [med - 3 * 1.482623 * mad, med + 3 * 1.482623 * mad];
    }
    case 'percentile':
      return [quantile(all, pct.min / 100), quantile(all, pct.max / 100)];
    case 'mean_percentile':
      return [mean(regs.map((r) => quantile(r, pct.min / 100))), mean(regs.map((r) => quantile(r, pct.max / 100)))];
  }
}

function sharedTarget(g: Graph, mode: 'symmetric' | 'asymmetric'): RangeTarget {
  const q = placeQuantizers(g, { targetDevice: 'CPU' }).quantizers.find((x) => x.id === SHARED)!;
  const tensors = q.points.map((p) => (p as { tensor: string }).tensor);
  return { id: q.id, group: 'activations', scope: 'add/Add', mode, channelAxis: null, tensors };
}

beforeAll(async () => {
  await initBackend('wasm');
});

const TYPES: RangeInitType[] = ['min_max', 'mixed_min_max', 'mean_min_max', 'threesigma', 'percentile', 'mean_percentile'];

describe('range statistics of a quantizer with two insertion points (NNCF registration and counting)', () => {
  it('the CPU placement gives one quantizer for the ReLU output and the Add output', () => {
    expect([...sharedTarget(graph(), 'symmetric').tensors!].sort()).toEqual(['add', 'relu']);
  });

  for (const backend of ['ort', 'engine'] as const)
    for (const mode of ['symmetric', 'asymmetric'] as const)
      it(`${backend}, ${mode}: all six types equal the hand-computed statistic over relu(b1), add(b1), relu(b2) within 1e-5`, async () => {
        const g = graph();
        const model = new CompressedModel(g, new Engine(g));
        const loader = { dataset: dataset(), batchSize: BATCH };
        const cases: [RangeInitType, Record<string, number>?][] = [...TYPES.map((t): [RangeInitType] => [t]), ['percentile', { min_percentile: 10, max_percentile: 90 }], ['mean_percentile', { min_percentile: 5, max_percentile: 95 }]];
        for (const [type, params] of cases) {
          const r = await collectRangeStatistics(model, [sharedTarget(g, mode)], { rangeSection: { type, num_init_samples: N, ...(params ? { params } : {}) }, loader, backend });
          expect(r.backend).toBe(backend);
          expect(r.batches).toBe(3);
          const s = r.stats.get(SHARED)!;
          const want = expected(type, mode, params ? { min: params.min_percentile, max: params.max_percentile } : undefined);
          expect(Math.abs(s.min[0] - want[0])).toBeLessThan(1e-5);
          expect(Math.abs(s.max[0] - want[1])).toBeLessThan(1e-5);
        }
        model.engine.dispose();
      }, 120_000);

  it('counting per registered input matters: 8 samples (2 registrations) see only batch 1, relu then add', async () => {
    const g = graph();
    const model = new CompressedModel(g, new Engine(g));
    const r = await collectRangeStatistics(model, [sharedTarget(g, 'asymmetric')], { rangeSection: { type: 'mean_min_max', num_init_samples: 8 }, loader: { dataset: dataset(), batchSize: BATCH }, backend: 'engine' });
    const [relu1, add1] = registered();
    const s = r.stats.get(SHARED)!;
    expect(s.min[0]).toBeCloseTo((minOf(relu1) + minOf(add1)) / 2, 6);
    expect(s.max[0]).toBeCloseTo((maxOf(relu1, false) + maxOf(add1, false)) / 2, 6);
    model.engine.dispose();
  });

  it('createCompressedModel (CPU, mixed_min_max): the shared quantizer gets the hand-computed range', async () => {
    for (const mode of ['asymmetric', 'symmetric'] as const) {
      const config = NNCFConfig.fromObject({
        input_info: { sample_size: [1, 2, 3, 3] },
        target_device: 'CPU',
        compression: {
          algorithm: 'quantization',
          activations: { mode },
          initializer: { range: { type: 'mixed_min_max', num_init_samples: N }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
        },
      });
      config.registerExtraStructs([new QuantizationRangeInitArgs({ dataset: dataset(), batchSize: BATCH })]);
      const r = await createCompressedModel(graph(), config);
      const q = quantizationReport(r.controller as QuantizationController).quantizers.find((x) => x.id === SHARED)!;
      const [lo, hi] = expected('mixed_min_max', mode);
      if (mode === 'asymmetric') {
        expect(q.input_low![0]).toBeCloseTo(lo, 5);
        expect(q.input_range![0]).toBeCloseTo(hi - lo, 5);
      } else {
        expect(lo).toBeLessThan(0); // relu(x) + x = x where x < 0
        expect(q.signed).toBe(true);
        expect(q.scale![0]).toBeCloseTo(Math.max(Math.abs(lo), Math.abs(hi)), 5);
      }
      (r.controller as QuantizationController).dispose();
      r.model.engine.dispose();
    }
  }, 120_000);
});
