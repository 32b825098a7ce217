import type { ConstTensor, GraphNode } from '../graph/index.js';
import { EngineError } from './errors.js';

/**
 * The value of an ONNX Constant node. Constants are folded at build time so that weights stored as
 * Constant nodes (paddle2onnx style) become Variables like initializers do.
 */
export function constantNodeValue(node: GraphNode): ConstTensor {
  const name = node.outputs[0];
  for (const [key, a] of Object.entries(node.attributes)) {
    switch (key) {
      case 'value':
        if (a.type === 'tensor') return { ...a.value, name };
        break;
      case 'value_float':
        return { name, dtype: 'float32', dims: [], values: Float32Array.of(Number(a.value)) };
      case 'value_floats':
        if (a.type === 'floats') return { name, dtype: 'float32', dims: [a.value.length], values: Float32Array.from(a.value) };
        break;
      case 'value_int':
        return { name, dtype: 'int64', dims: [], values: BigInt64Array.of(BigInt(a.value as number | bigint)) };
      case 'value_ints':
        if (a.type === 'ints')
          return { name, dtype: 'int64', dims: [a.value.length], values: BigInt64Array.from(a.value.map((v) => BigInt(v))) };
        break;
    }
  }
  throw new EngineError(`Constant node "${node.name}": no supported value attribute (sparse/string constants are not supported)`);
}
