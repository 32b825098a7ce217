/**
 * What an exporter needs to know about one quantizer, in graph terms only (no algorithm types):
 * where it sits, its integer grid and its range with NNCF FakeQuantize semantics
 * (spec/algorithms.md §1). The quantization algorithm produces these; the writers in this folder
 * turn them into QuantizeLinear/DequantizeLinear pairs or org.openvinotoolkit FakeQuantize nodes.
 */
import type { Graph } from '../../../graph/graph.js';

/** A weight: a float initializer; every consumer sees the quantized value. */
export interface WeightTarget {
  kind: 'weight';
  tensor: string;
}

/**
 * An activation tensor. Without `consumers` it is a post-hook: every consumer — and the graph output,
 * if the tensor is one — sees the quantized value. With `consumers` it is a pre-hook on those input
 * ports only (NNCF's `|INPUT` insertion points).
 */
export interface ActivationTarget {
  kind: 'activation';
  tensor: string;
  consumers?: { node: string; port: number }[];
}

export interface QuantizerExportSpec {
  /** NNCF-style quantizer id, e.g. "conv1|WEIGHT"; used in node names and error messages. */
  id: string;
  target: WeightTarget | ActivationTarget;
  /** The quantizer's bit width; the QDQ export picks its integer type from it (params.ts containerBits). */
  bits: number;
  /** Number of levels as NNCF computes them: 256 full range, 255 narrow, 128 half range (8-bit). */
  levels: number;
  mode: 'symmetric' | 'asymmetric';
  /** Symmetric: signed grid. Asymmetric quantizers report true (NNCF) and use an unsigned grid. */
  signed: boolean;
  narrowRange: boolean;
  /**
   * Explicit integer grid [levelLow, levelHigh] (levelHigh − levelLow + 1 = levels). Derived from
   * mode/signed/narrowRange/levels when absent (§1.1); give it for unusual grids.
   */
  levelLow?: number;
  levelHigh?: number;
  /** ONNX-layout channel axis of a per-channel quantizer (Conv/Gemm-transB weights 0, ConvTranspose 1, activations 1). */
  perChannelAxis?: number;
  /**
   * FakeQuantize range (length 1 per tensor, or one value per channel): the values the simulated
   * quantizer clamps to, i.e. after TuneRange for asymmetric quantizers (0 exactly representable).
   */
  inputLow: Float32Array;
  inputHigh: Float32Array;
  /** Optional clamp applied before quantizing (NNCF's half-range export: 7-bit range on an 8-bit grid). */
  clip?: { low: Float32Array; high: Float32Array };
}

export class QuantizedExportError extends Error {
  override name = 'QuantizedExportError';
}

export interface LevelGrid {
  levelLow: number;
  levelHigh: number;
  levels: number;
}

/** The integer grid of a spec (§1.1): symmetric signed centred on 0, unsigned/asymmetric from 0 (narrow asymmetric from 1). */
export function levelGrid(s: QuantizerExportSpec): LevelGrid {
  const n = s.levels;
  if (!Number.isInteger(n) || n < 2 || n > 2 ** s.bits)
    throw new QuantizedExportError(`quantizer "${s.id}": ${n} levels do not fit ${s.bits} bits`);
  if (s.levelLow !== undefined || s.levelHigh !== undefined) {
    const lo = s.levelLow ?? (s.levelHigh! - n + 1);
    const hi = s.levelHigh ?? (lo + n - 1);
    if (hi - lo + 1 !== n) throw new QuantizedExportError(`quantizer "${s.id}": levelLow ${lo}..levelHigh ${hi} is not ${n} levels`);
    return { levelLow: lo, levelHigh: hi, levels: n };
  }
  if (s.mode === 'symmetric' && s.signed) {
    const lo = s.narrowRange ? -(n - 1) / 2 : -n / 2;
    if (!Number.isInteger(lo)) throw new QuantizedExportError(`quantizer "${s.id}": ${n} levels cannot form a ${s.narrowRange ? 'narrow' : 'full'}-range signed grid`);
    return { levelLow: lo, levelHigh: lo + n - 1, levels: n };
  }
  const lo = s.mode === 'asymmetric' && s.narrowRange ? 1 : 0;
  return { levelLow: lo, levelHigh: lo + n - 1, levels: n };
}

/** Number of range values a spec must carry, and checks that the target exists. */
export function checkSpec(graph: Graph, s: QuantizerExportSpec): { channels: number; rank: number | null } {
  const where = `quantizer "${s.id}"`;
  const t = s.target.tensor;
  let dims: (number | string | null)[] | null;
  if (s.target.kind === 'weight') {
    const init = graph.initializers.get(t);
    if (!init) throw new QuantizedExportError(`${where}: weight "${t}" is not an initializer of the graph`);
    if (init.dtype !== 'float32') throw new QuantizedExportError(`${where}: weight "${t}" is ${init.dtype}, only float32 weights can be quantized`);
    dims = init.dims;
  } else {
    if (!graph.producer(t) && !graph.inputs.some((i) => i.name === t))
      throw new QuantizedExportError(`${where}: activation "${t}" is neither a node output nor a graph input`);
    for (const c of s.target.consumers ?? []) {
      const node = graph.node(c.node);
      if (!node || node.inputs[c.port] !== t)
        throw new QuantizedExportError(`${where}: node "${c.node}" does not read "${t}" at input ${c.port}`);
    }
    dims = graph.tensor(t)?.shape ?? null;
  }
  if (s.inputLow.length !== s.inputHigh.length)
    throw new QuantizedExportError(`${where}: inputLow has ${s.inputLow.length} values, inputHigh ${s.inputHigh.length}`);
  for (let i = 0; i < s.inputLow.length; i++)
    if (!(s.inputHigh[i] > s.inputLow[i])) throw new QuantizedExportError(`${where}: empty range [${s.inputLow[i]}, ${s.inputHigh[i]}] at element ${i}`);
  const rank = dims ? dims.length : null;
  if (s.perChannelAxis === undefined) {
    if (s.inputLow.length !== 1) throw new QuantizedExportError(`${where}: per-tensor range needs 1 value, got ${s.inputLow.length} (set perChannelAxis)`);
    return { channels: 1, rank };
  }
  const axis = s.perChannelAxis;
  if (rank === null) throw new QuantizedExportError(`${where}: per-channel quantizer on "${t}" whose rank is unknown`);
  if (axis < 0 || axis >= rank) throw new QuantizedExportError(`${where}: channel axis ${axis} out of range for rank ${rank}`);
  const c = dims![axis];
  if (typeof c !== 'number') throw new QuantizedExportError(`${where}: channel dim ${axis} of "${t}" is not known`);
  if (s.inputLow.length !== c && s.inputLow.length !== 1)
    throw new QuantizedExportError(`${where}: ${s.inputLow.length} range values for ${c} channels (axis ${axis})`);
  return { channels: c, rank };
}
