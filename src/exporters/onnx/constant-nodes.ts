import type { ConstTensor } from '../../graph/types.js';
import { encodeTensor, isUnchangedSince, type NodeProto } from '../../graph/onnx-proto/index.js';

/**
 * Re-creates a Constant node for an initializer that the frontend folded out of one. An untouched tensor
 * gets its original NodeProto back (same attribute form: value, value_float, value_ints …).
 */
export function constantNodeFor(tensor: ConstTensor, original: NodeProto): NodeProto {
  if (isUnchangedSince(original, tensor)) return original;
  const value = encodeTensor(tensor);
  const node: NodeProto = {
    input: [],
    output: [tensor.name],
    op_type: 'Constant',
    attribute: [{ name: 'value', t: value, type: 4 }],
  };
  if (original.name) node.name = original.name;
  if (original.domain) node.domain = original.domain;
  return node;
}
