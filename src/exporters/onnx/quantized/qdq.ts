/**
 * `export_to_onnx_standard_ops: true` (nncf-ts's default): quantizers as ONNX QuantizeLinear/DequantizeLinear.
 * Weights are stored as integer initializers (the float initializer is removed) read by a
 * DequantizeLinear whose output keeps the weight's name: int8/uint8, or packed int4/uint4 for 2–4-bit
 * weights (opset 21). Activations get a Q→DQ pair (uint8 when the grid is unsigned, so ORT can drop a
 * preceding Relu and fuse into integer kernels; signed grids too unless signedActivationType is 'int8');
 * a 2–7-bit activation keeps its levels in the 8-bit type through a clamp to its range before the Q.
 * Conv+BatchNormalization pairs with a quantized weight are folded (exactly, see fold-bn.ts) and
 * Conv/Gemm biases can be stored as int32 with scale = input scale · weight scale, the form ORT's
 * QDQ fusions expect.
 */
import type { Graph } from '../../../graph/graph.js';
import type { AttributeValue } from '../../../graph/types.js';
import { GraphEditor, intAttr } from './graph-edit.js';
import { applyBnFold, findFoldableBn, type BnFold } from './fold-bn.js';
import { raiseOpset } from './opset.js';
import { expand, integerArray, qdqParams, quantizeValues, type QdqParams } from './params.js';
import { checkSpec, levelGrid, type LevelGrid, type QuantizerExportSpec } from './spec.js';
import { quantizeBiases, type DqInfo } from './bias.js';
import { insertClip } from './clip.js';
import { writeWeightOnlyDequantize } from './weight-only.js';

export interface QdqExportOptions {
  /** Fold BatchNormalization into Convs with quantized weights (default true). */
  foldBatchNorm?: boolean;
  /**
   * Store biases as int32 + DequantizeLinear when input and weight are quantized: `true` for Conv and
   * Gemm, `'gemm'` (default) for Gemm only, `false` for none. Measured with onnxruntime-node 1.30: Convs
   * fuse either way (ORT quantizes a float Conv bias itself, to the same int32 values), but a Gemm with a
   * float bias stays a float Gemm; with the int32 bias it becomes QGemm. An int32 Conv bias costs a
   * per-channel float scale on top of the 4 bytes a float bias takes (5 % of a MobileNet's INT8 file).
   */
  quantizeBias?: boolean | 'gemm';
  /**
   * Integer type of activations with a signed grid (default 'uint8'). 'uint8' writes the same values with
   * the zero point shifted by 128 (what ORT's own QDQS8ToU8 pass does, but that pass skips a Q whose output
   * feeds several ops, and QLinearConv needs input and output of one type: on the MobileNetV2-style test
   * model int8 leaves 2 of 11 Convs in float). 'int8' writes NNCF's form (zero point 0).
   * Unsigned grids are always uint8: ORT then drops a Relu/Clip before Q and fuses the Conv.
   */
  signedActivationType?: 'int8' | 'uint8';
}

export interface QdqExportSummary {
  weights: number;
  activations: number;
  foldedBatchNorms: string[];
  quantizedBiases: string[];
  /** Weights read by an op whose input stays float, written as integer → Cast·Mul (weight-only.ts). */
  weightOnly: string[];
  opset: { from: number; to: number };
}

interface Prepared {
  spec: QuantizerExportSpec;
  grid: LevelGrid;
  params: QdqParams;
}

/** Writes QDQ quantizers into `graph` (edited in place). All specs are checked before anything changes. */
export function writeQdqQuantizers(graph: Graph, specs: QuantizerExportSpec[], opts: QdqExportOptions = {}): QdqExportSummary {
  const prepared: Prepared[] = specs.map((spec) => {
    checkSpec(graph, spec);
    const grid = levelGrid(spec);
    const params = qdqParams(spec, grid);
    // A grid narrower than its integer type (2–7-bit activations in 8 bits): QuantizeLinear saturates
    // only at the type's range, so the activation is clamped to the quantizer's range first.
    const narrower = spec.target.kind === 'activation' && (grid.levelLow !== params.typeLow || grid.levelHigh !== params.typeHigh);
    const clipped = narrower ? { ...spec, clip: clampToRange(spec) } : spec;
    if (spec.target.kind === 'activation' && params.dtype === 'int8' && opts.signedActivationType !== 'int8')
      return { spec: clipped, grid, params: { ...params, dtype: 'uint8' as const, typeLow: 0, typeHigh: 255, zeroPoint: params.zeroPoint.map((z) => z + 128) } };
    return { spec: clipped, grid, params };
  });
  const ed = new GraphEditor(graph);
  const quantizedActs = new Set(specs.filter((s) => s.target.kind === 'activation').map((s) => s.target.tensor));
  const folds = new Map<Prepared, BnFold>();
  if (opts.foldBatchNorm !== false)
    for (const p of prepared) {
      if (p.spec.target.kind !== 'weight') continue;
      const f = findFoldableBn(graph, p.spec, quantizedActs, p.grid.levelLow === -p.grid.levelHigh);
      if (f) folds.set(p, f);
    }
  // per-channel DequantizeLinear (axis) needs opset 13; a folded per-tensor weight becomes per-channel;
  // INT4/UINT4 and 16-bit integer types need opset 21
  const needsAxis = folds.size > 0 || prepared.some((p) => p.spec.perChannelAxis !== undefined && p.spec.inputLow.length > 1);
  const needsOpset21 = prepared.some((p) => !/8$/.test(p.params.dtype));
  const opset = raiseOpset(graph, ed, needsOpset21 ? 21 : needsAxis ? 13 : 10, 'QuantizeLinear/DequantizeLinear export');
  graph.reindex();

  const dq = new Map<string, DqInfo>();
  const weightDqNodes = new Set<string>();
  for (const p of prepared.filter((q) => q.spec.target.kind === 'weight')) weightDqNodes.add(writeWeight(graph, ed, p, folds.get(p), dq));
  for (const f of folds.values()) applyBnFold(graph, ed, f);
  graph.reindex();
  const shared: ParamConstants = new Map();
  for (const p of prepared.filter((q) => q.spec.target.kind === 'activation')) {
    writeActivation(graph, ed, p, dq, shared);
    graph.reindex();
  }
  const weightOnly = writeWeightOnlyDequantize(graph, ed, weightDqNodes);
  for (const w of weightOnly) dq.delete(w);
  graph.reindex();
  const biases = opts.quantizeBias === false ? [] : quantizeBiases(graph, ed, dq, opts.quantizeBias === true ? ['Conv', 'Gemm'] : ['Gemm']);
  graph.reindex();
  graph.validate();
  return {
    weights: prepared.filter((p) => p.spec.target.kind === 'weight').length,
    activations: prepared.filter((p) => p.spec.target.kind === 'activation').length,
    foldedBatchNorms: [...folds.values()].map((f) => f.bn.name),
    quantizedBiases: biases,
    weightOnly,
    opset,
  };
}

/** Returns the DequantizeLinear node's name. */
function writeWeight(g: Graph, ed: GraphEditor, p: Prepared, fold: BnFold | undefined, dq: Map<string, DqInfo>): string {
  const { spec, grid, params } = p;
  const w = g.initializers.get(spec.target.tensor)!;
  const ints = quantizeValues(w.values as Float32Array, w.dims, spec, grid, params);
  let scale = params.scale;
  let zp = params.zeroPoint;
  let axis = spec.inputLow.length > 1 ? spec.perChannelAxis : undefined;
  if (fold) {
    const c = fold.factors.length;
    // weight layout [outer, c, inner] around the output axis (outer = 1 for Conv/Gemm, Cin for ConvTranspose)
    const inner = w.dims.slice(fold.axis + 1).reduce((a, b) => a * b, 1);
    scale = expand(scale, c).map((s, i) => s * Math.abs(fold.factors[i]));
    zp = zp.length === c ? zp : new Int32Array(c).fill(zp[0]);
    for (let o = 0; o < ints.length; o += c * inner)
      for (let ch = 0; ch < c; ch++)
        if (fold.factors[ch] < 0) for (let i = o + ch * inner; i < o + (ch + 1) * inner; i++) ints[i] = -ints[i];
    axis = fold.axis;
  }
  const perChannel = axis !== undefined;
  const dims = perChannel ? [scale.length] : [];
  const q = ed.constant(`${w.name}/q`, params.dtype, [...w.dims], integerArray(params.dtype, ints));
  const s = ed.constant(`${w.name}/s`, 'float32', dims, Float32Array.from(scale));
  // A zero point of 0 is ONNX's default and is left out of Conv weights (a per-channel zp is 1 byte per
  // channel for nothing); other weights keep it: onnxruntime 1.30 fuses QGemm only with one.
  const zpNeeded = zp.some((z) => z !== 0) || g.consumers(w.name).some((c) => c.opType !== 'Conv');
  const inputs = zpNeeded ? [q, s, ed.constant(`${w.name}/zp`, params.dtype, dims, integerArray(params.dtype, zp))] : [q, s];
  g.initializers.delete(w.name);
  const node = ed.node('DequantizeLinear', `${spec.id}/DQ`, inputs, [w.name], perChannel ? { axis: intAttr(axis!) } : {});
  g.tensors.set(w.name, { name: w.name, dtype: 'float32', shape: [...w.dims] });
  dq.set(w.name, { scale: Float32Array.from(scale), axis });
  return node;
}

/**
 * Scale and zero-point initializers of activation quantizers, shared by quantizers with equal parameters
 * (an export mirror repeats its source's). Their names and the integer tensor's are short (`qa<k>/s`):
 * each is spelled 3 times in the file, and a scope-long name 3×70 bytes per quantizer was 2 % of an
 * EfficientNet-B0 INT8 file. The QuantizeLinear node's name keeps the quantizer's scope id, its DQ is `qa<k>/DQ`.
 */
type ParamConstants = Map<string, string[]>;

function writeActivation(g: Graph, ed: GraphEditor, p: Prepared, dq: Map<string, DqInfo>, shared: ParamConstants): void {
  const { spec, params } = p;
  const perChannel = spec.inputLow.length > 1;
  const dims = perChannel ? [spec.inputLow.length] : [];
  const attrs: Record<string, AttributeValue> = perChannel ? { axis: intAttr(spec.perChannelAxis!) } : {};
  const key = `${params.dtype}|${dims}|${Array.from(params.scale)}|${Array.from(params.zeroPoint)}`;
  ed.hook(spec.target as Extract<QuantizerExportSpec['target'], { kind: 'activation' }>, spec.id, (input, output) => {
    let sz = shared.get(key);
    const short = `qa${shared.size}`;
    if (!sz) {
      const s = ed.constant(`${short}/s`, 'float32', dims, Float32Array.from(params.scale));
      // kept even when it is uint8 0 (the default): onnxruntime 1.30's QDQ fusion fails on a QuantizeLinear
      // without one ("two nodes with same node name")
      sz = [s, ed.constant(`${short}/zp`, params.dtype, dims, integerArray(params.dtype, params.zeroPoint))];
      shared.set(key, sz);
    }
    const x = spec.clip ? insertClip(g, ed, spec, input) : input;
    const q = ed.fresh(`${short}/q`);
    ed.describe(q, params.dtype, input);
    ed.node('QuantizeLinear', `${spec.id}/Q`, [x, ...sz], [q], attrs);
    ed.node('DequantizeLinear', `${short}/DQ`, [q, ...sz], [output], attrs);
    dq.set(output, { scale: Float32Array.from(params.scale), axis: perChannel ? spec.perChannelAxis : undefined });
  });
}

/** The clamp of an activation whose grid is narrower than its integer type: its own range, within any clip it had. */
function clampToRange(spec: QuantizerExportSpec): { low: Float32Array; high: Float32Array } {
  if (!spec.clip) return { low: Float32Array.from(spec.inputLow), high: Float32Array.from(spec.inputHigh) };
  const n = Math.max(spec.inputLow.length, spec.clip.low.length, spec.clip.high.length);
  const at = (a: Float32Array, i: number) => a[a.length === 1 ? 0 : i];
  const low = Float32Array.from({ length: n }, (_, i) => Math.max(at(spec.inputLow, i), at(spec.clip!.low, i)));
  const high = Float32Array.from({ length: n }, (_, i) => Math.min(at(spec.inputHigh, i), at(spec.clip!.high, i)));
  return { low, high };
}
