import { Graph, type AttributeValue, type ConstTensor, type DType, type GraphNode } from '../../src/graph/index.js';

/** Builds a one-node Graph directly (no ONNX bytes), for op unit tests. */
export function singleOp(
  opType: string,
  inputs: { name: string; shape: number[]; dtype?: DType }[],
  outputs: string[],
  attributes: Record<string, AttributeValue> = {},
  initializers: ConstTensor[] = [],
  opset = 17,
): Graph {
  const node: GraphNode = {
    name: `${opType}_0`,
    opType,
    domain: '',
    inputs: [...inputs.map((i) => i.name), ...initializers.map((c) => c.name)],
    outputs,
    attributes,
    scope: opType,
  };
  return new Graph({
    nodes: [node],
    inputs: inputs.map((i) => ({ name: i.name, dtype: i.dtype ?? 'float32', shape: i.shape })),
    outputs: outputs.map((o) => ({ name: o, dtype: 'float32', shape: null })),
    initializers,
    opsets: new Map([['', opset]]),
  });
}

export const ints = (value: number[]): AttributeValue => ({ type: 'ints', value });
export const int = (value: number): AttributeValue => ({ type: 'int', value });
export const float = (value: number): AttributeValue => ({ type: 'float', value });
export const str = (value: string): AttributeValue => ({ type: 'string', value });

export function f32(name: string, dims: number[], values: number[]): ConstTensor {
  return { name, dtype: 'float32', dims, values: Float32Array.from(values) };
}

export function i64(name: string, values: number[]): ConstTensor {
  return { name, dtype: 'int64', dims: [values.length], values: BigInt64Array.from(values.map(BigInt)) };
}
