/**
 * Raising the default-domain opset of a graph (per-channel DequantizeLinear needs `axis`, opset 13; INT4/UINT4
 * and 16-bit QuantizeLinear/DequantizeLinear need opset 21).
 * Ops whose schema changed incompatibly inside the raised span are upgraded when the change is a pure
 * attribute → input move (Squeeze/Unsqueeze/Reduce* axes, Clip min/max, Dropout ratio, Split-18's output
 * count, GridSample-20's renamed modes), accepted when
 * the change does not affect the node (Softmax family on the last axis, Split without `split`), and
 * rejected otherwise, naming the node.
 */
import type { Graph } from '../../../graph/graph.js';
import type { GraphNode } from '../../../graph/types.js';
import { irVersionForOpset } from '../model-proto.js';
import type { GraphEditor } from './graph-edit.js';
import { QuantizedExportError } from './spec.js';

/** Default-domain ops and the opset versions at which their signature changed incompatibly. */
const BREAKING: Record<string, number[]> = {
  Softmax: [13], LogSoftmax: [13], Hardmax: [13], Split: [13, 18], Squeeze: [13], Unsqueeze: [13], ReduceSum: [13],
  Clip: [11], Pad: [11], Resize: [11], Scatter: [11], Upsample: [10], Slice: [10], TopK: [10], Dropout: [12],
  BatchNormalization: [9], Unique: [11],
  ReduceMean: [18], ReduceMax: [18], ReduceMin: [18], ReduceProd: [18], ReduceL1: [18], ReduceL2: [18],
  ReduceLogSum: [18], ReduceLogSumExp: [18], ReduceSumSquare: [18], GridSample: [20], DFT: [20],
};

/** GridSample-20 renamed two of its modes. */
const GRID_SAMPLE_20_MODES: Record<string, string> = { bilinear: 'linear', bicubic: 'cubic' };

const axesToInput = (g: Graph, ed: GraphEditor, n: GraphNode, apply: boolean): boolean => {
  const axes = n.attributes.axes;
  if (apply && axes && axes.type === 'ints') {
    n.inputs = [n.inputs[0], ed.constant(`${n.name}/axes`, 'int64', [axes.value.length], BigInt64Array.from(axes.value.map((v) => BigInt(v))))];
    delete n.attributes.axes;
  }
  return true;
};

/** Whether `n` can follow the change at `version`; with `apply`, upgrades it in place. */
function upgrade(g: Graph, ed: GraphEditor, n: GraphNode, version: number, apply: boolean): boolean {
  switch (n.opType) {
    case 'Squeeze': case 'Unsqueeze': case 'ReduceSum': case 'ReduceMean': case 'ReduceMax': case 'ReduceMin': case 'ReduceProd':
    case 'ReduceL1': case 'ReduceL2': case 'ReduceLogSum': case 'ReduceLogSumExp': case 'ReduceSumSquare':
      return axesToInput(g, ed, n, apply);
    case 'Softmax': case 'LogSoftmax': case 'Hardmax': {
      const rank = g.tensor(n.inputs[0])?.shape?.length;
      const axis = n.attributes.axis ? Number(n.attributes.axis.value) : 1;
      return rank !== undefined && (axis === rank - 1 || axis === -1);
    }
    case 'Split':
      if (version === 13) return !n.attributes.split;
      // Split-18 needs the `split` input or num_outputs; equal parts were implied by the output count before
      if (apply && !n.inputs[1] && !n.attributes.num_outputs) n.attributes.num_outputs = { type: 'int', value: n.outputs.length };
      return true;
    case 'GridSample': {
      const mode = n.attributes.mode;
      if (apply && mode && mode.type === 'string' && GRID_SAMPLE_20_MODES[mode.value]) n.attributes.mode = { type: 'string', value: GRID_SAMPLE_20_MODES[mode.value] };
      return true;
    }
    case 'Dropout': if (apply) delete n.attributes.ratio; return true;
    case 'Clip': {
      if (!apply) return true;
      const lo = n.attributes.min, hi = n.attributes.max;
      const scalar = (v: number, what: string) => ed.constant(`${n.name}/${what}`, 'float32', [], Float32Array.of(v));
      n.inputs = [n.inputs[0], lo ? scalar(Number(lo.value), 'min') : '', hi ? scalar(Number(hi.value), 'max') : ''];
      while (n.inputs.at(-1) === '') n.inputs.pop();
      delete n.attributes.min;
      delete n.attributes.max;
      return true;
    }
    case 'Slice': {
      // Slice-1 attributes starts/ends/axes → Slice-10 int64 inputs (same meaning).
      if (!apply) return true;
      const ints = (what: string) => {
        const a = n.attributes[what];
        return a && a.type === 'ints' ? a.value.map((v) => BigInt(v)) : null;
      };
      const starts = ints('starts')!;
      const ends = ints('ends')!;
      const axes = ints('axes');
      const c = (what: string, v: bigint[]) => ed.constant(`${n.name}/${what}`, 'int64', [v.length], BigInt64Array.from(v));
      n.inputs = [n.inputs[0], c('starts', starts), c('ends', ends), ...(axes ? [c('axes', axes)] : [])];
      delete n.attributes.starts;
      delete n.attributes.ends;
      delete n.attributes.axes;
      return true;
    }
    case 'BatchNormalization': return !n.attributes.spatial && version === 9;
    default: return false;
  }
}

/** Raises the ai.onnx opset to `to` (no-op when already there); throws if a node would change meaning. */
export function raiseOpset(g: Graph, ed: GraphEditor, to: number, why: string): { from: number; to: number } {
  const key = g.opsets.has('ai.onnx') && !g.opsets.has('') ? 'ai.onnx' : '';
  const from = g.opsets.get(key) ?? 1;
  if (from >= to) return { from, to: from };
  if (from < 7) throw new QuantizedExportError(`${why} needs opset ${to}; the model uses opset ${from} (< 7), which cannot be raised safely`);
  const changes: [GraphNode, number][] = [];
  for (const n of g.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    if (Object.values(n.attributes).some((a) => a.type === 'graph' || a.type === 'graphs'))
      throw new QuantizedExportError(`${why} needs opset ${to} (model: ${from}); node "${n.name}" (${n.opType}) has subgraphs, which are not upgraded`);
    for (const v of BREAKING[n.opType] ?? []) {
      if (v <= from || v > to) continue;
      if (!upgrade(g, ed, n, v, false))
        throw new QuantizedExportError(`${why} needs opset ${to} (model: ${from}); node "${n.name}" (${n.opType}) changed at opset ${v} and cannot be upgraded`);
      changes.push([n, v]);
    }
  }
  // checked everything first: an error above leaves the graph as it was
  for (const [n, v] of changes) upgrade(g, ed, n, v, true);
  g.opsets.set(key, to);
  const info = g.modelInfo as { irVersion?: number };
  const ir = irVersionForOpset(to);
  if (info.irVersion !== undefined && info.irVersion < ir) info.irVersion = ir;
  const onnx = (g.modelInfo as { onnx?: { model?: { ir_version?: unknown } } }).onnx?.model;
  if (info.irVersion === undefined && onnx && Number(onnx.ir_version ?? 0) < ir) info.irVersion = ir;
  return { from, to };
}
