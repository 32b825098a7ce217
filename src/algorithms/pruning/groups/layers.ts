import { isConstantTensor, type Graph, type GraphNode } from '../../../graph/index.js';

/**
 * The facts pruning needs about a convolution or linear layer (NNCF's ConvolutionLayerAttributes /
 * LinearLayerAttributes), read from the ONNX node and its weight initializer.
 */
export interface LayerInfo {
  node: GraphNode;
  kind: 'conv' | 'linear';
  weight: string;
  bias?: string;
  /** Weight axis holding output channels (filters) and input channels. */
  outAxis: number;
  inAxis: number;
  outChannels: number;
  inChannels: number;
  group: number;
  strides: number[];
  kernel: number[];
  /** group != 1 (NNCF is_grouped_conv). */
  grouped: boolean;
  /** group == in == out > 1 (NNCF is_prunable_depthwise_conv). */
  depthwise: boolean;
  /** A linear layer whose output has more than two dims (NNCF is_batched_linear). */
  batched: boolean;
  /** ConvTranspose: weight [in, out/group, k…], filters along axis 1. */
  transposed: boolean;
}

const ints = (n: GraphNode, name: string): number[] | undefined => {
  const a = n.attributes[name];
  return a?.type === 'ints' ? a.value.map(Number) : undefined;
};
const int = (n: GraphNode, name: string, dflt: number): number => {
  const a = n.attributes[name];
  return a?.type === 'int' ? Number(a.value) : dflt;
};

/** The layer facts of `node`, or undefined when it is not a conv/linear with an initializer weight. */
export function layerInfo(graph: Graph, node: GraphNode): LayerInfo | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  if (node.opType === 'Conv' || node.opType === 'ConvTranspose') return convInfo(graph, node);
  if (node.opType === 'Gemm' || node.opType === 'MatMul') return linearInfo(graph, node);
  return undefined;
}

function convInfo(graph: Graph, node: GraphNode): LayerInfo | undefined {
  const w = graph.initializers.get(node.inputs[1]);
  if (!w || w.dims.length < 3) return undefined;
  const group = int(node, 'group', 1);
  const transposed = node.opType === 'ConvTranspose';
  const out = transposed ? w.dims[1] * group : w.dims[0];
  const inC = transposed ? w.dims[0] : w.dims[1] * group;
  const rank = w.dims.length - 2;
  const bias = node.inputs[2] && graph.initializers.has(node.inputs[2]) ? node.inputs[2] : undefined;
  return {
    node, kind: 'conv', weight: w.name, bias, outAxis: transposed ? 1 : 0, inAxis: transposed ? 0 : 1, outChannels: out, inChannels: inC, group, transposed,
    strides: ints(node, 'strides') ?? new Array<number>(rank).fill(1), kernel: w.dims.slice(2),
    grouped: group !== 1, depthwise: group === inC && out === inC && inC > 1, batched: false,
  };
}

function linearInfo(graph: Graph, node: GraphNode): LayerInfo | undefined {
  if (node.opType === 'Gemm' && int(node, 'transA', 0) !== 0) return undefined;
  const w = graph.initializers.get(node.inputs[1]);
  if (!w || w.dims.length !== 2 || isConstantTensor(graph, node.inputs[0])) return undefined;
  const transB = node.opType === 'Gemm' && int(node, 'transB', 0) === 1;
  const outAxis = transB ? 0 : 1;
  const c = node.opType === 'Gemm' ? node.inputs[2] : undefined;
  const cInit = c ? graph.initializers.get(c) : undefined;
  // Gemm's C is a bias only when it is one value per output feature
  const bias = cInit && cInit.dims.length === 1 && cInit.dims[0] === w.dims[outAxis] ? cInit.name : undefined;
  const outShape = graph.tensor(node.outputs[0])?.shape;
  return {
    node, kind: 'linear', weight: w.name, bias, outAxis, inAxis: 1 - outAxis, outChannels: w.dims[outAxis],
    inChannels: w.dims[1 - outAxis], group: 1, strides: [1], kernel: [], grouped: false, depthwise: false,
    batched: (outShape?.length ?? 2) > 2, transposed: false,
  };
}

/** Layer facts of every conv/linear of the graph, by node name. */
export function allLayers(graph: Graph): Map<string, LayerInfo> {
  const out = new Map<string, LayerInfo>();
  for (const n of graph.nodes) {
    const info = layerInfo(graph, n);
    if (info) out.set(n.name, info);
  }
  return out;
}
