import type { Graph } from '../graph.js';
import type { GraphNode } from '../types.js';
import { isConstantTensor } from './constness.js';
import { METATYPES, ONNX_OP_METATYPE, type Metatype, type WeightSpec } from './metatype-table.js';

/**
 * Metatype assignment. Most ops map by op type (ONNX_OP_METATYPE); the rest need a look at
 * attributes or at which inputs are constant:
 *  - Conv → Conv1d/2d/3d by kernel rank; DepthwiseConv when group == C_in (> 1) and C_out is a multiple
 *    of group (NNCF: `groups == in_channels and in_channels > 1`);
 *  - Gemm → Linear; MatMul → Linear when one input is constant, else MatMul (two activations);
 *  - Gather → Embedding when the table (input 0) is constant and the indices are not.
 * Nodes from other domains (or unknown ops) are Unknown → non-quantizable, which is the safe side.
 */
export function metatypeOf(graph: Graph, node: GraphNode): Metatype {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return 'Unknown';
  switch (node.opType) {
    case 'Conv':
      return convMetatype(graph, node, false);
    case 'ConvTranspose':
      return convMetatype(graph, node, true);
    case 'Gemm':
      return 'Linear';
    case 'MatMul':
      return isConstantTensor(graph, node.inputs[1]) || isConstantTensor(graph, node.inputs[0]) ? 'Linear' : 'MatMul';
    case 'Gather':
      return isConstantTensor(graph, node.inputs[0]) && !isConstantTensor(graph, node.inputs[1]) ? 'Embedding' : 'Gather';
    default:
      return ONNX_OP_METATYPE[node.opType] ?? 'Unknown';
  }
}

function intAttr(node: GraphNode, name: string, dflt: number): number {
  const a = node.attributes[name];
  if (a?.type === 'int') return Number(a.value);
  return dflt;
}

function convMetatype(graph: Graph, node: GraphNode, transposed: boolean): Metatype {
  const wInfo = graph.tensor(node.inputs[1]);
  const kernel = node.attributes.kernel_shape;
  const rank = wInfo?.shape ? wInfo.shape.length - 2 : kernel?.type === 'ints' ? kernel.value.length : 2;
  const dims = rank <= 1 ? '1d' : rank === 2 ? '2d' : '3d';
  if (transposed) return `ConvTranspose${dims}` as Metatype;
  const group = intAttr(node, 'group', 1);
  const shape = wInfo?.shape;
  // Weight layout [C_out, C_in/group, k…]; depthwise ⇔ C_in/group == 1 and group > 1.
  if (group > 1 && shape && shape[1] === 1 && typeof shape[0] === 'number' && shape[0] % group === 0)
    return `DepthwiseConv${dims === '3d' ? '3d' : dims}` as Metatype;
  return `Conv${dims}` as Metatype;
}

/** Where the weight of a weighted node is and its output-channel axis; undefined when it has no constant weight. */
export function weightOf(graph: Graph, node: GraphNode, metatype: Metatype = metatypeOf(graph, node)):
  | { port: number; tensor: string; channelAxis: number }
  | undefined {
  const spec: WeightSpec | undefined = (METATYPES[metatype] as { weight?: WeightSpec }).weight;
  if (!spec) return undefined;
  let port = spec.port;
  if (node.opType === 'MatMul' && !isConstantTensor(graph, node.inputs[1])) port = 0;
  const tensor = node.inputs[port];
  if (!tensor || !isConstantTensor(graph, tensor)) return undefined;
  const rank = graph.tensor(tensor)?.shape?.length ?? 2;
  let axis: number;
  if (node.opType === 'Gemm') axis = intAttr(node, 'transB', 0) === 1 ? 0 : 1;
  else if (node.opType === 'MatMul') axis = port === 1 ? rank - 1 : Math.max(rank - 2, 0);
  else axis = spec.channelAxis === 'last' ? rank - 1 : spec.channelAxis;
  return { port, tensor, channelAxis: axis };
}

/** Metatype of every node, by node name. */
export function assignMetatypes(graph: Graph): Map<string, Metatype> {
  return new Map(graph.nodes.map((n) => [n.name, metatypeOf(graph, n)]));
}
