/**
 * The FakeQuantize gradient rule on its own, on ONNX Runtime, against NNCF's definitions computed here:
 * the forward bit for bit (a zero's sign aside) against a float32 re-enactment of ReferenceQuantize (clamp, shift, scale,
 * zero point, round half to even, divide; TuneRange for asymmetric), including inputs exactly on
 * rounding midpoints; the STE gradients (dx, and the range/scale and input_low gradients through the
 * |p| + eps or exp(p) parametrization) against NNCF's mask formulas in float64, within 1e-6 norm-wise.
 * Cases cover unsigned/signed/narrow-range symmetric, asymmetric, per-tensor and per-channel ranges,
 * logarithm_scale, inputs below, inside and above the range, and the staged flag off (y = x exactly,
 * dx = dy, no parameter gradient).
 */
import { describe, expect, it } from 'vitest';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { FAKE_QUANTIZE_OP, ROUND_SHIFT } from '../../src/algorithms/quantization/fake-quantize/node-rule.js';
import { COMPRESSION_DOMAIN } from '../../src/compression/index.js';
import { relativeError } from '../autodiff/helpers.js';
import { OnnxBuilder, seededRandom } from '../helpers/onnx-builder.js';

const f = Math.fround;
/** torch.round / ONNX Round: half to even. */
function roundEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface Case {
  name: string;
  mode: 'symmetric' | 'asymmetric';
  levelLow: number;
  levelHigh: number;
  log?: boolean;
  /** Rows × columns of the quantized tensor; per-channel ranges are per column. */
  rows: number;
  cols: number;
  perChannel: boolean;
  /** Range parameters: scale (symmetric) or input_low + input_range (asymmetric), one per channel. */
  params: (col: number) => number[];
  /** Input values (some placed on rounding midpoints, some outside the range). */
  value: (row: number, col: number, rnd: () => number) => number;
  enabled?: boolean;
  /** A Relu before the quantizer (the rule folds it in): x = relu(value). */
  relu?: boolean;
}

const EPS = 1e-16;

/** NNCF's input_low / input_range as float32 (symmetric range, or TuneRange), per channel. */
function effectiveRange(c: Case, p: number[]): { low: number; range: number } {
  const safe = (v: number) => (c.log ? f(Math.exp(v)) : f(f(Math.abs(v)) + f(EPS)));
  if (c.mode === 'symmetric') {
    const s = safe(p[0]);
    const low = f(s * f(c.levelLow / c.levelHigh));
    return { low, range: f(s - low) };
  }
  const n = c.levelHigh - c.levelLow;
  const low = p[0];
  const range = safe(p[1]);
  const lowC = Math.min(low, 0);
  const highC = Math.max(f(range + low), 0);
  const scale = f(n / f(highC - lowC));
  const zp = roundEven(f(f(-lowC) * scale));
  const candLow = zp < n ? f(f(zp / f(zp - n)) * highC) : lowC;
  const candHigh = zp > 0 ? f(f(f(zp - n) / zp) * lowC) : highC;
  const keepHigh = f(highC - candLow) > f(candHigh - lowC);
  const newLow = keepHigh ? candLow : lowC;
  const newHigh = keepHigh ? highC : candHigh;
  return { low: newLow, range: f(newHigh - newLow) };
}

/** ReferenceQuantize.forward in float32, op by op. */
function fakeQuantize(x: number, low: number, range: number, c: Case): number {
  const s = f((c.levelHigh - c.levelLow) / range);
  const clamped = Math.min(Math.max(x, low), f(low + range));
  const zp = roundEven(f(f(-low) * s));
  const t = f(f(f(clamped - low) * s) - zp);
  return f(roundEven(t) / s);
}

function buildGraph(c: Case, params: Float32Array[], xs: Float32Array) {
  const b = new OnnxBuilder({ opset: 17, name: 'fq', extraOpsets: { [COMPRESSION_DOMAIN]: 1 } });
  const input = b.input('input', [c.rows, c.cols]);
  const pShape = c.perChannel ? [1, c.cols] : [1];
  const w = b.initializer('w', 'float32', [c.rows, c.cols], xs);
  const names = c.mode === 'symmetric' ? ['scale'] : ['input_low', 'input_range'];
  const pins = names.map((n, i) => b.initializer(n, 'float32', pShape, params[i]));
  const fqIn = c.relu ? b.node('Relu', [w], {}, { name: 'relu', outputs: ['relu_out'] }) : w;
  const flag = b.initializer('enabled', 'float32', [], Float32Array.of(c.enabled === false ? 0 : 1));
  const q = b.node(FAKE_QUANTIZE_OP, [fqIn, ...pins, flag], {
    mode: { type: 'string', value: c.mode },
    level_low: { type: 'int', value: c.levelLow },
    level_high: { type: 'int', value: c.levelHigh },
    logarithm_scale: { type: 'int', value: c.log ? 1 : 0 },
    eps: { type: 'float', value: EPS },
  }, { name: 'fq', domain: COMPRESSION_DOMAIN, outputs: ['fq_out'] });
  b.output(b.node('Add', [input, q], {}, { outputs: ['logits'] }), [c.rows, c.cols]);
  const graph = b.toGraph();
  graph.tensors.set('fq_out', { name: 'fq_out', dtype: 'float32', shape: [c.rows, c.cols] });
  return { graph, names };
}

async function check(c: Case) {
  const rnd = seededRandom(5);
  const paramsByCol = Array.from({ length: c.perChannel ? c.cols : 1 }, (_, k) => c.params(k));
  const params = paramsByCol[0].map((_, i) => Float32Array.from(paramsByCol.map((p) => p[i])));
  const xs = new Float32Array(c.rows * c.cols);
  for (let r = 0; r < c.rows; r++) for (let k = 0; k < c.cols; k++) xs[r * c.cols + k] = c.value(r, k, rnd);
  const target = Float32Array.from(xs, () => rnd() * 2 - 1);
  const { graph, names } = buildGraph(c, params, xs);
  const compiled = compileTrainingGraph(graph, {
    trainable: (n) => (['w', ...names].includes(n) ? true : undefined),
    fed: (n) => n === 'enabled',
    loss: { task: 'mse' },
    outputs: ['fq_out'],
  });
  expect(compiled.graph.nodes.every((n) => n.domain === '')).toBe(true);
  // a Relu before an unsigned quantizer is folded into it
  expect(compiled.graph.nodes.some((n) => n.opType === 'Relu')).toBe(false);
  const step = await OrtTrainerStep.create(compiled, { threads: 1 });
  const zeros = new Float32Array(xs.length);
  const r = await step.step({ data: zeros, shape: [c.rows, c.cols] }, { data: target, shape: [c.rows, c.cols] });
  await step.release();
  const y = r.outputs.get('fq_out')!.data as Float32Array;

  const on = c.enabled !== false;
  const ranges = paramsByCol.map((p) => effectiveRange(c, p));
  const rangeOf = (k: number) => ranges[c.perChannel ? k : 0];
  // forward: bit-exact, zeros compared as numbers (pass-through while off)
  let exact = 0;
  const xq = c.relu ? xs.map((v) => Math.max(v, 0)) : xs; // the quantizer's input
  for (let i = 0; i < xs.length; i++) {
    const { low, range } = rangeOf(i % c.cols);
    // while off a folded Relu gives the smallest denormal where Relu gives 0
    const want = on ? fakeQuantize(xq[i], low, range, c) : c.relu && xs[i] <= 0 ? 2 ** -149 : xq[i];
    if (Object.is(y[i] + 0, want + 0)) exact++;
  }
  expect(exact).toBe(xs.length);

  // backward: NNCF's STE masks in float64, from the float32 forward values
  const n = xs.length;
  const dy = Array.from(y, (v, i) => (2 * (v - target[i])) / n);
  const dx = new Float64Array(n);
  const channels = ranges.length;
  const dRange = new Float64Array(channels);
  const dLow = new Float64Array(channels);
  for (let i = 0; i < n; i++) {
    const k = c.perChannel ? i % c.cols : 0;
    const { low, range } = ranges[k];
    const high = f(low + range);
    const hi = on && xq[i] > high ? 1 : 0;
    const lo = on && xq[i] < low ? 1 : 0;
    const inside = 1 - hi - lo;
    const sign = Math.sign(range);
    dx[i] = dy[i] * inside * (c.relu && !(xs[i] > 0) ? 0 : 1); // Relu'(0) = 0
    const err = (y[i] - xq[i]) / (range * sign);
    dRange[k] += dy[i] * (err * inside + sign * (c.levelLow / c.levelHigh) * lo + hi);
    dLow[k] += dy[i] * (hi + lo);
  }
  expect(relativeError(r.gradients.get('w')!, dx, 1e-9)).toBeLessThan(1e-6);
  const rangeParam = c.mode === 'symmetric' ? 0 : 1;
  const dParam = Float64Array.from(dRange, (g, k) => {
    const p = paramsByCol[k][rangeParam];
    return on ? g * (c.log ? Math.exp(p) : Math.sign(p)) : 0;
  });
  const gRange = r.gradients.get(names[rangeParam])!;
  if (!on) expect(Math.max(...gRange.map(Math.abs))).toBe(0);
  expect(relativeError(gRange, dParam, 1e-9)).toBeLessThan(1e-6);
  if (c.mode === 'asymmetric') {
    const gLow = r.gradients.get('input_low')!;
    if (!on) expect(Math.max(...gLow.map(Math.abs))).toBe(0);
    expect(relativeError(gLow, on ? dLow : new Float64Array(channels), 1e-9)).toBeLessThan(1e-6);
  }
  return { exact, dRange: [...gRange] };
}

/** With s = (levels − 1)/range a power of two, (k + ½)/s is a float: an exact rounding midpoint. */
const midpoint = (k: number, s: number) => (k + 0.5) / s;

const CASES: Case[] = [
  {
    name: 'unsigned symmetric per-tensor, inputs below 0, on midpoints, above the range',
    mode: 'symmetric', levelLow: 0, levelHigh: 255, rows: 12, cols: 10, perChannel: false,
    params: () => [255 / 128], // s = 128
    value: (r, k, rnd) => (r < 4 ? midpoint(r * 10 + k, 128) : r < 6 ? -rnd() : (rnd() * 1.4 - 0.1) * 2),
  },
  {
    name: 'unsigned symmetric per-tensor after a Relu (folded), zeros, negatives, midpoints, above',
    mode: 'symmetric', levelLow: 0, levelHigh: 255, rows: 12, cols: 10, perChannel: false, relu: true,
    params: () => [255 / 128],
    value: (r, k, rnd) => (r < 3 ? midpoint(r * 10 + k, 128) : r < 5 ? -rnd() : r === 5 ? (k % 2 ? 0 : -0) : (rnd() * 1.4 - 0.1) * 2),
  },
  {
    name: 'unsigned symmetric per-channel after a Relu (folded)',
    mode: 'symmetric', levelLow: 0, levelHigh: 255, rows: 8, cols: 5, perChannel: true, relu: true,
    params: (k) => [0.5 + 0.25 * k],
    value: (r, k, rnd) => (r === 0 ? 0 : (rnd() * 1.5 - 0.5) * (0.5 + 0.25 * k)),
  },
  {
    name: 'signed symmetric (-128..127) per-tensor with midpoints',
    mode: 'symmetric', levelLow: -128, levelHigh: 127, rows: 12, cols: 10, perChannel: false,
    params: () => [1.3],
    value: (r, k, rnd) => (rnd() * 2 - 1) * 1.8,
  },
  {
    name: 'narrow-range signed symmetric (-127..127) per-channel, negative scale',
    mode: 'symmetric', levelLow: -127, levelHigh: 127, rows: 9, cols: 6, perChannel: true,
    params: (k) => [(k % 2 ? -1 : 1) * (0.2 + 0.1 * k)],
    value: (r, k, rnd) => (rnd() * 2 - 1) * (0.3 + 0.1 * k),
  },
  {
    name: 'unsigned symmetric per-channel with logarithm_scale',
    mode: 'symmetric', levelLow: 0, levelHigh: 255, log: true, rows: 8, cols: 5, perChannel: true,
    params: (k) => [Math.log(0.5 + 0.25 * k)],
    value: (r, k, rnd) => (rnd() * 1.5 - 0.2) * (0.5 + 0.25 * k),
  },
  {
    name: 'asymmetric per-tensor (TuneRange moves the bounds)',
    mode: 'asymmetric', levelLow: 0, levelHigh: 255, rows: 12, cols: 10, perChannel: false,
    params: () => [-0.37, 1.91],
    value: (r, k, rnd) => rnd() * 2.6 - 0.6,
  },
  {
    name: 'asymmetric per-channel, negative input_range parameter',
    mode: 'asymmetric', levelLow: 0, levelHigh: 255, rows: 9, cols: 6, perChannel: true,
    params: (k) => [-0.1 * (k + 1), (k === 2 ? -1 : 1) * (0.6 + 0.2 * k)],
    value: (r, k, rnd) => (rnd() * 1.6 - 0.4) * (0.6 + 0.2 * k),
  },
  {
    name: '7-bit signed symmetric (half range)',
    mode: 'symmetric', levelLow: -64, levelHigh: 63, rows: 8, cols: 8, perChannel: false,
    params: () => [0.9],
    value: (r, k, rnd) => (rnd() * 2 - 1) * 1.2,
  },
];

describe('FakeQuantize rule on ORT vs NNCF (forward bit-exact, STE gradients within 1e-6 of float64)', () => {
  it('the rounding shift is 1.5·2^23', () => {
    expect(ROUND_SHIFT).toBe(1.5 * 2 ** 23);
    // float32 addition rounds half to even: (t + M) − M is Round(t) for |t| < 2^22, as a number (Round(−0.3)
    // is −0, the shifted form +0: the sign of a zero is all that differs, and no later op reads it)
    for (const t of [0.5, 1.5, 2.5, -0.5, -1.5, -0.3, 254.5, 127.49999237060547, -128.5, 4194303.5])
      expect(f(f(t + ROUND_SHIFT) - ROUND_SHIFT) + 0).toBe(roundEven(t) + 0);
  });

  it('folds a Relu only into an unsigned quantizer that is its sole reader, its output not asked for', () => {
    const unsigned = CASES[0];
    const signed = CASES.find((c) => c.levelLow < 0)!;
    const graphOf = (c: Case) => buildGraph({ ...c, relu: true }, c.params(0).map((v) => Float32Array.of(v)), new Float32Array(c.rows * c.cols)).graph;
    const relus = (c: Case, outputs: string[] = []) =>
      compileTrainingGraph(graphOf(c), { fed: (n) => n === 'enabled', loss: { task: 'mse' }, outputs }).graph.nodes.filter((n) => n.opType === 'Relu').length;
    expect(relus(unsigned)).toBe(0);
    expect(relus(unsigned, ['relu_out'])).toBe(1);
    expect(relus(signed)).toBe(1);
    const g = graphOf(unsigned);
    expect(g.nodes.some((n) => n.opType === 'Relu')).toBe(true); // the caller's graph is untouched
  });

  it.each(CASES)('$name', async (c) => {
    await check(c);
  }, 120_000);

  it.each(CASES.filter((c) => c.name.startsWith('unsigned') || c.name.startsWith('asymmetric per-tensor')))(
    'flag off, $name: y = x exactly (a folded Relu: 2^-149 for x ≤ 0), dx = dy (· Relu′), parameter gradients exactly 0',
    async (c) => {
      await check({ ...c, enabled: false });
    },
    120_000,
  );
});
