/**
 * Folding an inference BatchNormalization into the Conv (ConvTranspose with group 1, or Gemm with transB) before it when its weight is quantized.
 * The simulated model computes BN(Conv(x, FQ(W))); per output channel BN is y·f + (β − μ·f) with
 * f = γ/√(σ²+ε), so BN(Conv(x, W_q) + b) = Conv(x, W_q·f) + (b − μ)·f + β. Because W_q·f is the
 * same integers with the scale multiplied by f, the fold is exact on the quantized grid: the weight
 * stays k·scale_c, only scale_c → scale_c·f_c. Without it ORT cannot fuse the Conv into QLinearConv
 * (its Conv+BN fusion needs a constant weight, and a DQ output is not one).
 */
import type { Graph } from '../../../graph/graph.js';
import type { GraphNode } from '../../../graph/types.js';
import type { GraphEditor } from './graph-edit.js';
import type { QuantizerExportSpec } from './spec.js';

export interface BnFold {
  conv: GraphNode;
  bn: GraphNode;
  /** Per output channel multiplier f_c of the weight scale. */
  factors: Float32Array;
  /** The weight's output-channel axis: 0 for Conv [Cout, Cin/g, …] and Gemm (transB), 1 for ConvTranspose [Cin, Cout, …]. */
  axis: 0 | 1;
}

const floatInit = (g: Graph, name: string | undefined): Float32Array | null => {
  const t = name ? g.initializers.get(name) : undefined;
  return t && t.dtype === 'float32' ? (t.values as Float32Array) : null;
};

/**
 * The weight's output-channel axis, where the fold puts the per-channel scale, or null when the op cannot
 * be folded into: Conv and Gemm computing x·Wᵀ + b (transB = 1, alpha = beta = 1, no transA) have it on
 * axis 0; ConvTranspose's weight is [Cin, Cout/group, …], so axis 1 — with group 1 only, since with more
 * groups one index of axis 1 is a different output channel in each group (one scale per axis-1 index
 * could not carry their different factors).
 */
function outputAxis(n: GraphNode): 0 | 1 | null {
  if (n.domain !== '') return null;
  const attr = (k: string, d: number) => (n.attributes[k] ? Number(n.attributes[k].value) : d);
  if (n.opType === 'Conv') return 0;
  if (n.opType === 'ConvTranspose') return attr('group', 1) === 1 ? 1 : null;
  return n.opType === 'Gemm' && attr('transB', 0) === 1 && attr('transA', 0) === 0 && attr('alpha', 1) === 1 && attr('beta', 1) === 1 ? 0 : null;
}

/**
 * The BN that can be folded into the Conv/Gemm reading `spec`'s weight, or null: the weight feeds that op only,
 * its output feeds one BatchNormalization only (not a graph output, no quantizer between), BN has
 * constant parameters and one output. Negative factors are accepted only for symmetric signed grids
 * (the integers are negated instead).
 */
export function findFoldableBn(g: Graph, spec: QuantizerExportSpec, quantized: Set<string>, symmetricGrid: boolean): BnFold | null {
  const w = spec.target.tensor;
  const users = g.consumers(w);
  const axis = users.length === 1 ? outputAxis(users[0]) : null;
  if (axis === null || users[0].inputs[1] !== w) return null;
  // a per-channel weight scale must lie on the output axis to be multiplied by the factors
  if (spec.inputLow.length > 1 && spec.perChannelAxis !== axis) return null;
  const conv = users[0];
  const y = conv.outputs[0];
  const next = g.consumers(y);
  if (next.length !== 1 || next[0].opType !== 'BatchNormalization' || next[0].inputs[0] !== y) return null;
  const bn = next[0];
  if (bn.outputs.filter((o) => o !== '').length !== 1 || quantized.has(y) || g.outputs.some((o) => o.name === y)) return null;
  if (bn.attributes.training_mode && Number(bn.attributes.training_mode.value) !== 0) return null;
  if (conv.inputs[2] && (!floatInit(g, conv.inputs[2]) || g.consumers(conv.inputs[2]).length !== 1)) return null;
  const [gamma, , , variance] = bn.inputs.slice(1).map((n) => floatInit(g, n));
  if (!gamma || !variance || bn.inputs.slice(1).some((n) => !floatInit(g, n))) return null;
  const eps = bn.attributes.epsilon ? Number(bn.attributes.epsilon.value) : 1e-5;
  const factors = new Float32Array(gamma.length);
  for (let c = 0; c < gamma.length; c++) factors[c] = gamma[c] / Math.sqrt(variance[c] + eps);
  // a broadcast bias (scalar, [1]) is not one value per channel
  if (conv.inputs[2] && floatInit(g, conv.inputs[2])!.length !== factors.length) return null;
  if (!factors.every((f) => Number.isFinite(f) && f !== 0) || (!symmetricGrid && factors.some((f) => f < 0))) return null;
  return { conv, bn, factors, axis };
}

/** Rewires the graph for a fold: new Conv bias, Conv writes BN's output, BN removed (reindex later). */
export function applyBnFold(g: Graph, ed: GraphEditor, fold: BnFold): void {
  const { conv, bn, factors } = fold;
  const [, beta, mean] = bn.inputs.slice(1).map((n) => g.initializers.get(n)!.values as Float32Array);
  const old = conv.inputs[2] ? (g.initializers.get(conv.inputs[2])!.values as Float32Array) : null;
  const bias = new Float32Array(factors.length);
  for (let c = 0; c < bias.length; c++) bias[c] = ((old ? old[c] : 0) - mean[c]) * factors[c] + beta[c];
  const oldBias = conv.inputs[2];
  conv.inputs = [conv.inputs[0], conv.inputs[1], ed.constant(`${conv.name}/folded_bias`, 'float32', [bias.length], bias)];
  const y = bn.outputs.find((o) => o !== '')!;
  g.tensors.delete(conv.outputs[0]);
  conv.outputs = [y];
  g.nodes = g.nodes.filter((n) => n !== bn);
  ed.dropUnusedInitializers([...bn.inputs.slice(1), ...(oldBias ? [oldBias] : [])]);
}
