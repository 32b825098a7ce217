/**
 * TypeScript shapes of the decoded ONNX messages (field names as on the wire). Every field is optional
 * because proto2 tracks presence: an absent field stays absent on re-encode, which keeps bytes identical.
 * 64-bit integers arrive as `Int64` (a number, or a long.js object for values beyond 2^53).
 */

export type Int64 = number | { low: number; high: number; unsigned: boolean; toString(): string };

export interface StringStringEntryProto { key?: string; value?: string }
export interface OperatorSetIdProto { domain?: string; version?: Int64 }

export interface TensorProto {
  dims?: Int64[];
  data_type?: number;
  segment?: { begin?: Int64; end?: Int64 };
  float_data?: number[];
  int32_data?: number[];
  string_data?: Uint8Array[];
  int64_data?: Int64[];
  name?: string;
  raw_data?: Uint8Array;
  double_data?: number[];
  uint64_data?: Int64[];
  doc_string?: string;
  external_data?: StringStringEntryProto[];
  data_location?: number;
  metadata_props?: StringStringEntryProto[];
}

export interface SparseTensorProto { values?: TensorProto; indices?: TensorProto; dims?: Int64[] }

export interface DimensionProto { dim_value?: Int64; dim_param?: string; denotation?: string }
export interface TensorShapeProto { dim?: DimensionProto[] }
export interface TensorTypeProto { elem_type?: number; shape?: TensorShapeProto }
export interface TypeProto {
  tensor_type?: TensorTypeProto;
  sequence_type?: { elem_type?: TypeProto };
  map_type?: { key_type?: number; value_type?: TypeProto };
  denotation?: string;
  opaque_type?: { domain?: string; name?: string };
  sparse_tensor_type?: TensorTypeProto;
  optional_type?: { elem_type?: TypeProto };
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  doc_string?: string;
  metadata_props?: StringStringEntryProto[];
}

export interface AttributeProto {
  name?: string;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  doc_string?: string;
  tp?: TypeProto;
  type_protos?: TypeProto[];
  type?: number;
  ref_attr_name?: string;
  sparse_tensor?: SparseTensorProto;
  sparse_tensors?: SparseTensorProto[];
}

export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  attribute?: AttributeProto[];
  doc_string?: string;
  domain?: string;
  overload?: string;
  metadata_props?: StringStringEntryProto[];
  device_configurations?: Uint8Array[];
}

export interface TensorAnnotation { tensor_name?: string; quant_parameter_tensor_names?: StringStringEntryProto[] }

export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  doc_string?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  value_info?: ValueInfoProto[];
  quantization_annotation?: TensorAnnotation[];
  sparse_initializer?: SparseTensorProto[];
  metadata_props?: StringStringEntryProto[];
}

export interface TrainingInfoProto {
  initialization?: GraphProto;
  algorithm?: GraphProto;
  initialization_binding?: StringStringEntryProto[];
  update_binding?: StringStringEntryProto[];
}

export interface FunctionProto {
  name?: string;
  input?: string[];
  output?: string[];
  attribute?: string[];
  node?: NodeProto[];
  doc_string?: string;
  opset_import?: OperatorSetIdProto[];
  domain?: string;
  attribute_proto?: AttributeProto[];
  value_info?: ValueInfoProto[];
  overload?: string;
  metadata_props?: StringStringEntryProto[];
}

export interface ModelProto {
  ir_version?: Int64;
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProto;
  opset_import?: OperatorSetIdProto[];
  metadata_props?: StringStringEntryProto[];
  training_info?: TrainingInfoProto[];
  functions?: FunctionProto[];
  configuration?: Uint8Array[];
  global_mutable_initializer_names?: string[];
}

/** AttributeProto.type values. */
export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;
