import type { ConstTensor, GraphNode } from '../../graph/types.js';

/**
 * The tensor a Constant node produces, or null when it cannot be a plain initializer (sparse values).
 * paddle2onnx and older exporters store weights this way; folding them lets every algorithm see weights
 * as initializers, and the exporter writes them back as the original Constant nodes.
 */
export function constantNodeTensor(node: GraphNode): ConstTensor | null {
  const name = node.outputs[0];
  const a = node.attributes;
  if (a.value?.type === 'tensor') return { ...a.value.value, name };
  if (a.value_float?.type === 'float') return { name, dtype: 'float32', dims: [], values: Float32Array.of(a.value_float.value) };
  if (a.value_floats?.type === 'floats') return { name, dtype: 'float32', dims: [a.value_floats.value.length], values: Float32Array.from(a.value_floats.value) };
  if (a.value_int?.type === 'int') return { name, dtype: 'int64', dims: [], values: BigInt64Array.of(BigInt(a.value_int.value)) };
  if (a.value_ints?.type === 'ints') return { name, dtype: 'int64', dims: [a.value_ints.value.length], values: BigInt64Array.from(a.value_ints.value, (v) => BigInt(v)) };
  if (a.value_string?.type === 'string') return { name, dtype: 'string', dims: [], values: [a.value_string.value] };
  if (a.value_strings?.type === 'strings') return { name, dtype: 'string', dims: [a.value_strings.value.length], values: [...a.value_strings.value] };
  return null;
}
