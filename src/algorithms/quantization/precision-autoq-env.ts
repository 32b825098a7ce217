/**
 * AutoQ's environment, the pure part (spec/algorithms.md §6.3; NNCF QuantizationEnv in
 * nncf/torch/automl/environment/quantization_env.py): no data, no agent here.
 *
 * - one step per quantizer, in placement order (weights and activations);
 * - state per quantizer: NNCF's columns conv_dw, cin, cout, stride, kernel, param, ifm_size,
 *   prev_action, layer_idx, weight_quantizer, min-max normalised over the sequence (sklearn
 *   MinMaxScaler fitted once, with prev_action annotated max(bits) on the first row and min(bits) on
 *   the last, every other row 0; a constant column scales to 0);
 * - bit space per quantizer: TRIAL (no HW config) every width of `bits`; NPU the widths its HW
 *   config allows (NNCF ignores `bits` there and so do we);
 * - action in [0, 1] → NNCF's map_precision over {2, 4, 8} (≤ 0.125 → 2, ≤ 0.5 → 4, else 8), then
 *   the nearest width of the quantizer's space (first in its order on a tie), as QuantizationEnv.step;
 * - after the last step: the size budget (Σ params·bits of weight quantizers ≤ FP32 size ×
 *   compression_ratio), NNCF's _constrain_model_size — sweeps from the last quantizer back to the
 *   first, lowering each weight quantizer by one width of its space, until the size fits or every
 *   weight sits at its smallest width; then NNCF's bit alignment of adjacent quantizers
 *   (`performant_bw`): per group, m = min of the group's widths, or the smallest width of the group's
 *   intersected space when m is not in it; activations take m, weights min(own, m).
 * Differences from NNCF: conv_dw is 1 for a depthwise conv (groups > 1 and groups == Cin; NNCF
 * compares weight.shape[1] to groups, which misses depthwise convs); weighted ops other than conv and
 * linear are described as linear (NNCF raises).
 */
import { weightOf, type Graph, type GraphNode } from '../../graph/index.js';
import { QuantizationSetupError } from './modules.js';
import type { QuantizerSpec } from './placement/index.js';
import { adjacentGroups } from './precision-hawq-layers.js';

export const AUTOQ_FEATURES = ['conv_dw', 'cin', 'cout', 'stride', 'kernel', 'param', 'ifm_size', 'prev_action', 'layer_idx', 'weight_quantizer'] as const;
const PREV = AUTOQ_FEATURES.indexOf('prev_action');
export const FP32_BITS = 32;

function intsAttr(node: GraphNode, name: string): number[] | undefined {
  const a = node.attributes[name];
  if (a?.type === 'ints') return a.value.map(Number);
  if (a?.type === 'int') return [Number(a.value)];
  return undefined;
}

/** The tensor's shape when every dimension but the (possibly symbolic) batch one is known; the batch counts as 1. */
const numericShape = (graph: Graph, tensor: string | undefined): number[] | null => {
  const s = tensor === undefined ? undefined : graph.tensor(tensor)?.shape;
  if (!s || !s.slice(1).every((d) => typeof d === 'number')) return null;
  return s.map((d, i) => (i === 0 && typeof d !== 'number' ? 1 : Number(d)));
};
const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Element count of the weight(s) a weight quantizer quantizes (0 for activation quantizers). */
export function quantizerParams(graph: Graph, q: QuantizerSpec): number {
  if (q.kind !== 'weight') return 0;
  const p = q.points.find((x) => x.kind === 'weight');
  if (!p || p.kind !== 'weight') return 0;
  const dims = graph.initializers.get(p.tensor)?.dims ?? numericShape(graph, p.tensor) ?? [];
  return prod(dims.map(Number));
}

/** NNCF's _get_layer_attr row for one quantizer (prev_action 0 and the index columns filled in). */
export function autoqRawFeatures(graph: Graph, setup: readonly QuantizerSpec[]): number[][] {
  return setup.map((q, i) => {
    const f = Object.fromEntries(AUTOQ_FEATURES.map((k) => [k, 0])) as Record<(typeof AUTOQ_FEATURES)[number], number>;
    f.layer_idx = i;
    f.weight_quantizer = q.kind === 'weight' ? 1 : 0;
    const p = q.points[0];
    if (q.kind === 'weight' && p.kind === 'weight') {
      const node = graph.node(p.node);
      const dims = (graph.initializers.get(p.tensor)?.dims ?? numericShape(graph, p.tensor) ?? []).map(Number);
      const input = node ? numericShape(graph, node.inputs[0]) : null;
      f.param = prod(dims);
      if (node && (node.opType === 'Conv' || node.opType === 'ConvTranspose') && dims.length >= 3) {
        const groups = intsAttr(node, 'group')?.[0] ?? 1;
        const cinTotal = input?.[1] ?? dims[1] * groups;
        f.conv_dw = groups > 1 && groups === cinTotal ? 1 : 0;
        f.cin = dims[1];
        f.cout = dims[0];
        f.stride = intsAttr(node, 'strides')?.[0] ?? 1;
        f.kernel = dims[2];
        f.ifm_size = input ? prod(input.slice(-2)) : 0;
      } else {
        const axis = node ? (weightOf(graph, node)?.channelAxis ?? 0) : 0;
        f.cout = dims[axis] ?? 1;
        f.cin = f.cout ? f.param / f.cout : 0;
        f.kernel = 1;
        f.ifm_size = input ? input[input.length - 1] : f.cin;
      }
    } else {
      const tensor = p.kind === 'weight' ? undefined : p.tensor;
      const shape = numericShape(graph, tensor);
      if (shape && shape.length) {
        const c = shape.length === 4 ? shape[1] : shape[shape.length - 1];
        f.cin = c;
        f.cout = c;
        f.ifm_size = shape.length === 4 ? prod(shape.slice(-2)) : shape[shape.length - 1];
      }
    }
    return AUTOQ_FEATURES.map((k) => f[k]);
  });
}

/** sklearn MinMaxScaler: per column (x − min) / (max − min); a constant column gives 0. */
export class MinMaxScaler {
  readonly min: number[];
  readonly scale: number[];
  constructor(rows: readonly (readonly number[])[]) {
    const n = rows[0]?.length ?? 0;
    this.min = Array.from({ length: n }, (_, j) => Math.min(...rows.map((r) => r[j])));
    this.scale = Array.from({ length: n }, (_, j) => {
      const range = Math.max(...rows.map((r) => r[j])) - this.min[j];
      return range === 0 ? 1 : 1 / range;
    });
  }
  transform(row: readonly number[]): number[] {
    return row.map((x, j) => (x - this.min[j]) * this.scale[j]);
  }
}

/** NNCF's map_precision: thresholds 2^(b+3) / 2^max over the fixed set {2, 4, 8}. */
export function mapPrecision(action: number): number {
  const set = [2, 4, 8];
  const max = Math.max(...set);
  for (const b of set) if (action <= 2 ** (b + 3) / 2 ** max) return b;
  return set[set.length - 1];
}

/** The width of `space` nearest to `bits` (itself when allowed; the first of the space's order on a tie). */
export function nearestBits(bits: number, space: readonly number[]): number {
  if (space.includes(bits)) return bits;
  let best = space[0];
  for (const b of space) if (Math.abs(b - bits) < Math.abs(best - bits)) best = b;
  return best;
}

/** Size in bits of the weight quantizers at `bits` (Σ params·bits). */
export function modelSizeBits(params: readonly number[], bits: readonly number[]): number {
  return params.reduce((s, n, i) => s + n * bits[i], 0);
}

/**
 * NNCF _constrain_model_size: while the size exceeds both the target and the minimal size, sweep from
 * the last quantizer to the first lowering each weight quantizer one width within its space, stopping
 * as soon as the size fits. `params` is 0 for activation quantizers.
 */
export function constrainModelSize(bits: readonly number[], params: readonly number[], spaces: readonly (readonly number[])[], targetBits: number): number[] {
  const out = [...bits];
  const minSize = modelSizeBits(params, spaces.map((s) => Math.min(...s)));
  let size = modelSizeBits(params, out);
  while (minSize < size && targetBits < size) {
    for (let i = out.length - 1; i >= 0; i--) {
      if (params[i] > 0) {
        const sorted = [...spaces[i]].sort((a, b) => a - b);
        const k = sorted.indexOf(out[i]);
        if (k > 0) out[i] = sorted[k - 1];
      }
      size = modelSizeBits(params, out);
      if (size <= targetBits) break;
    }
  }
  return out;
}

/** NNCF _align_bw_action over groups of adjacent quantizers (indices into the sequence). */
export function alignGroupBits(bits: readonly number[], isWeight: readonly boolean[], groups: readonly (readonly number[])[], groupSpaces: readonly ReadonlySet<number>[]): number[] {
  const out = [...bits];
  groups.forEach((g, gi) => {
    const space = groupSpaces[gi];
    const m = Math.min(...g.map((i) => bits[i]));
    const final = space.has(m) ? m : Math.min(...space);
    for (const i of g) out[i] = isWeight[i] ? Math.min(bits[i], final) : final;
  });
  return out;
}

/** Reward: score × 10^(−⌊log10 |pretrained|⌋) (the score itself when the pretrained score is 0). */
export function autoqReward(score: number, pretrained: number): number {
  if (pretrained === 0) return score;
  return score * 10 ** -Math.floor(Math.log10(Math.abs(pretrained)));
}

export interface AutoQEnvOptions {
  /** TRIAL: `bits` for every quantizer; otherwise each quantizer's HW-allowed widths. */
  hwConstrained: boolean;
  bits: readonly number[];
  compressionRatio: number;
  device: string;
}

export interface AutoQOutcome {
  /** Per quantizer, after the size constraint and the group alignment. */
  bits: number[];
  /** The agent's widths before the constraint (after mapping to each space). */
  unconstrained: number[];
  sizeRatio: number;
}

/** One search episode at a time: reset, step per quantizer, finish. */
export class AutoQEnvironment {
  readonly ids: string[];
  readonly isWeight: boolean[];
  readonly spaces: number[][];
  readonly modelSpace: number[];
  readonly params: number[];
  readonly raw: number[][];
  readonly scaler: MinMaxScaler;
  readonly groups: number[][];
  readonly groupSpaces: Set<number>[];
  readonly fpSizeBits: number;
  readonly targetSizeBits: number;
  private prev: number[] = [];
  private collected: number[] = [];

  constructor(graph: Graph, setup: readonly QuantizerSpec[], opts: AutoQEnvOptions) {
    if (!setup.length) throw new QuantizationSetupError('AutoQ: the model has no quantizers to choose bit widths for');
    this.ids = setup.map((q) => q.id);
    this.isWeight = setup.map((q) => q.kind === 'weight');
    const uniq = (xs: number[]) => [...new Set(xs)];
    const requested = uniq([...opts.bits]).sort((a, b) => a - b);
    if (!requested.length || !requested.every((b) => Number.isInteger(b) && b >= 1))
      throw new QuantizationSetupError(`quantization.initializer.precision.bits must be a non-empty list of positive integers, got [${opts.bits.join(', ')}]`);
    this.spaces = setup.map((q) => {
      if (!opts.hwConstrained) return requested;
      const s = uniq(q.allowedConfigs.map((c) => c.bits));
      return s.length ? s : [q.bits];
    });
    this.modelSpace = opts.hwConstrained ? uniq(this.spaces.flat()).sort((a, b) => a - b) : requested;
    this.params = setup.map((q) => quantizerParams(graph, q));
    this.raw = autoqRawFeatures(graph, setup);
    const annotated = this.raw.map((r) => [...r]);
    annotated[0][PREV] = Math.max(...this.modelSpace);
    annotated[annotated.length - 1][PREV] = Math.min(...this.modelSpace);
    this.scaler = new MinMaxScaler(annotated);
    this.groups = adjacentGroups(setup);
    this.groupSpaces = this.groups.map((g) => {
      const common = g.map((i) => new Set(this.spaces[i])).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
      if (!common.size)
        throw new QuantizationSetupError(`AutoQ: the adjacent quantizers ${g.map((i) => this.ids[i]).join(', ')} have no bit width in common on ${opts.device}`);
      return common;
    });
    this.fpSizeBits = this.params.reduce((a, n) => a + n * FP32_BITS, 0);
    this.targetSizeBits = this.fpSizeBits * opts.compressionRatio;
    this.reset();
  }

  get steps(): number {
    return this.ids.length;
  }

  get stateSize(): number {
    return AUTOQ_FEATURES.length;
  }

  get prevActionFeature(): number {
    return PREV;
  }

  reset(): void {
    this.prev = this.ids.map(() => 0);
    this.collected = [];
  }

  /** Normalised state of quantizer `i` with the previous actions taken so far. */
  observation(i: number): number[] {
    const row = [...this.raw[i]];
    row[PREV] = this.prev[i];
    return this.scaler.transform(row);
  }

  /** Takes the agent's action for the next quantizer; returns the next observation (the last one when done). */
  step(action: number): { observation: number[]; done: boolean; bits: number } {
    const i = this.collected.length;
    if (i >= this.steps) throw new Error('AutoQEnvironment.step: the episode is over, call reset()');
    const bits = nearestBits(mapPrecision(action), this.spaces[i]);
    this.collected.push(bits);
    if (this.collected.length < this.steps) {
      this.prev[i + 1] = bits;
      return { observation: this.observation(i + 1), done: false, bits };
    }
    return { observation: this.observation(i), done: true, bits };
  }

  reward(score: number, pretrained: number): number {
    return autoqReward(score, pretrained);
  }

  /** The episode's strategy under the size budget, aligned within groups of adjacent quantizers. */
  finish(): AutoQOutcome {
    if (this.collected.length !== this.steps) throw new Error('AutoQEnvironment.finish: the episode is not complete');
    const unconstrained = [...this.collected];
    const constrained = constrainModelSize(unconstrained, this.params, this.spaces, this.targetSizeBits);
    const bits = alignGroupBits(constrained, this.isWeight, this.groups, this.groupSpaces);
    return { bits, unconstrained, sizeRatio: this.fpSizeBits ? modelSizeBits(this.params, bits) / this.fpSizeBits : 0 };
  }
}
