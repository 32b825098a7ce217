/**
 * Conv/Gemm biases as int32 + DequantizeLinear (scale = input scale · weight scale per output channel,
 * zero point 0, left out), the layout ORT's QDQ → QLinearConv/QGemm fusions look for. Only when the node's input
 * and weight both come from DequantizeLinear nodes this export wrote, the input per tensor.
 * The rounding error is at most half of input_scale·weight_scale per output element.
 */
import type { Graph } from '../../../graph/graph.js';
import type { GraphEditor } from './graph-edit.js';
import { intAttr } from './graph-edit.js';
import { roundHalfEven } from './params.js';

/** Scale of a tensor produced by a DequantizeLinear written here; axis undefined = per tensor. */
export interface DqInfo {
  scale: Float32Array;
  axis?: number;
}

const INT32_MAX = 2 ** 31 - 1;

/** Returns the names of the biases it quantized. */
export function quantizeBiases(g: Graph, ed: GraphEditor, dq: Map<string, DqInfo>, opTypes: readonly ('Conv' | 'Gemm')[] = ['Conv', 'Gemm']): string[] {
  const done: string[] = [];
  for (const node of g.nodes) {
    if (node.domain !== '' || !opTypes.includes(node.opType as 'Conv') || !node.inputs[2]) continue;
    const [x, w, b] = node.inputs;
    const xi = dq.get(x), wi = dq.get(w), bias = g.initializers.get(b);
    if (!xi || !wi || xi.scale.length !== 1 || !bias || bias.dtype !== 'float32' || bias.dims.length !== 1) continue;
    if (g.consumers(b).length !== 1 || g.outputs.some((o) => o.name === b)) continue;
    if (node.opType === 'Gemm') {
      const alpha = node.attributes.alpha ? Number(node.attributes.alpha.value) : 1;
      const beta = node.attributes.beta ? Number(node.attributes.beta.value) : 1;
      if (alpha !== 1 || beta !== 1 || (node.attributes.transA && Number(node.attributes.transA.value) !== 0)) continue;
    }
    const outAxis = node.opType === 'Conv' ? 0 : node.attributes.transB && Number(node.attributes.transB.value) !== 0 ? 0 : 1;
    const c = bias.dims[0];
    if (wi.axis !== undefined && (wi.axis !== outAxis || wi.scale.length !== c)) continue;
    const values = bias.values as Float32Array;
    const scale = new Float32Array(c);
    const ints = new Int32Array(c);
    let fits = true;
    for (let i = 0; i < c; i++) {
      scale[i] = xi.scale[0] * wi.scale[wi.scale.length === 1 ? 0 : i];
      const k = roundHalfEven(values[i] / scale[i]);
      if (!(Math.abs(k) <= INT32_MAX)) fits = false;
      ints[i] = k;
    }
    if (!fits) continue;
    const perChannel = wi.scale.length > 1;
    const dims = perChannel ? [c] : [];
    const q = ed.constant(`${b}/q`, 'int32', [c], ints);
    const s = ed.constant(`${b}/s`, 'float32', dims, perChannel ? scale : scale.slice(0, 1));
    g.initializers.delete(b);
    ed.node('DequantizeLinear', `${b}/DQ`, [q, s], [b], perChannel ? { axis: intAttr(0) } : {});
    g.tensors.set(b, { name: b, dtype: 'float32', shape: [c] });
    done.push(b);
  }
  return done;
}
