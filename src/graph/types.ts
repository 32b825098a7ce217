/**
 * Core IR types. The Graph keeps ONNX semantics (NCHW layout, ONNX op types and attributes) so that
 * every frontend maps into it and every exporter maps out of it; layout changes are the engine's business.
 */

/** Element types, named as in ONNX TensorProto.DataType (lower case). */
export type DType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int4'
  | 'uint4'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string'
  | 'complex64'
  | 'complex128'
  | 'float8e4m3fn'
  | 'float8e4m3fnuz'
  | 'float8e5m2'
  | 'float8e5m2fnuz'
  | 'undefined';

/** A dimension: a number when known, a symbolic name (e.g. "batch") or null when unknown. */
export type Dim = number | string | null;

/** Values held in memory for constants. Integer types wider than 32 bits use BigInt64Array/BigUint64Array. */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/**
 * A constant tensor (initializer, Constant node value, tensor attribute).
 * `values` is the decoded data in the natural JS array for `dtype` (float16/bfloat16 decode to Float32Array,
 * bool/int4/uint4 to Uint8Array/Int8Array one element per value). `raw` optionally keeps the exact
 * bytes/fields as read so an unchanged tensor is written back bit-identically.
 */
export interface ConstTensor {
  name: string;
  dtype: DType;
  dims: number[];
  values: TensorValues;
  /** Opaque original representation kept by the frontend for lossless export (e.g. an ONNX TensorProto). */
  raw?: unknown;
}

/** A tensor (edge) of the graph: produced by one node or a graph input, or a constant. */
export interface TensorInfo {
  name: string;
  dtype: DType;
  /** null when the rank is unknown. */
  shape: Dim[] | null;
}

/** Attribute values, typed as in ONNX AttributeProto so that export is lossless. */
export type AttributeValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number | bigint }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: ConstTensor }
  | { type: 'graph'; value: unknown }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: (number | bigint)[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: ConstTensor[] }
  | { type: 'graphs'; value: unknown[] }
  | { type: 'other'; value: unknown };

export interface GraphNode {
  /** Unique node name (frontends invent one when the model has none). */
  name: string;
  /** Op type as in ONNX (e.g. "Conv"); TF.js imports map to the ONNX equivalent. */
  opType: string;
  /** Op domain; '' is the default ONNX domain. */
  domain: string;
  /** Input tensor names in port order; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
  /** NNCF-style hierarchical scope name used by ignored/target scopes (defaults to `name`). */
  scope: string;
  /** Opaque original representation kept by the frontend for lossless export (e.g. an ONNX NodeProto). */
  raw?: unknown;
}
