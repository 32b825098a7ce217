/**
 * Our own protobuf descriptor of the ONNX wire format (messages, field numbers and wire types up to IR
 * version 10, plus IR-11 fields kept as opaque bytes). Written as a protobufjs JSON descriptor so no
 * .proto parsing happens at runtime. Field names follow ONNX's spelling to make debugging against
 * ONNX docs easy. Repeated scalars are marked packed/expanded exactly as proto2 writes them, so that
 * re-encoding a decoded model reproduces the original bytes.
 */

type FieldSpec = { type: string; id: number; rule?: 'repeated'; options?: { packed: boolean } };
type Fields = Record<string, FieldSpec>;

const one = (type: string, id: number): FieldSpec => ({ type, id });
const many = (type: string, id: number): FieldSpec => ({ type, id, rule: 'repeated' });
/** proto2 `[packed = true]` repeated scalar. */
const packed = (type: string, id: number): FieldSpec => ({ type, id, rule: 'repeated', options: { packed: true } });
/** proto2 default (one tag per element) repeated scalar. */
const expanded = (type: string, id: number): FieldSpec => ({ type, id, rule: 'repeated', options: { packed: false } });

const messages: Record<string, { fields: Fields; nested?: Record<string, { fields: Fields }> }> = {
  StringStringEntryProto: { fields: { key: one('string', 1), value: one('string', 2) } },
  OperatorSetIdProto: { fields: { domain: one('string', 1), version: one('int64', 2) } },
  AttributeProto: {
    fields: {
      name: one('string', 1),
      f: one('float', 2),
      i: one('int64', 3),
      s: one('bytes', 4),
      t: one('TensorProto', 5),
      g: one('GraphProto', 6),
      floats: expanded('float', 7),
      ints: expanded('int64', 8),
      strings: many('bytes', 9),
      tensors: many('TensorProto', 10),
      graphs: many('GraphProto', 11),
      doc_string: one('string', 13),
      tp: one('TypeProto', 14),
      type_protos: many('TypeProto', 15),
      type: one('int32', 20),
      ref_attr_name: one('string', 21),
      sparse_tensor: one('SparseTensorProto', 22),
      sparse_tensors: many('SparseTensorProto', 23),
    },
  },
  ValueInfoProto: {
    fields: {
      name: one('string', 1),
      type: one('TypeProto', 2),
      doc_string: one('string', 3),
      metadata_props: many('StringStringEntryProto', 4),
    },
  },
  NodeProto: {
    fields: {
      input: many('string', 1),
      output: many('string', 2),
      name: one('string', 3),
      op_type: one('string', 4),
      attribute: many('AttributeProto', 5),
      doc_string: one('string', 6),
      domain: one('string', 7),
      overload: one('string', 8),
      metadata_props: many('StringStringEntryProto', 9),
      // IR 11 device configurations: kept as opaque bytes so they survive a round trip.
      device_configurations: many('bytes', 10),
    },
  },
  TrainingInfoProto: {
    fields: {
      initialization: one('GraphProto', 1),
      algorithm: one('GraphProto', 2),
      initialization_binding: many('StringStringEntryProto', 3),
      update_binding: many('StringStringEntryProto', 4),
    },
  },
  ModelProto: {
    fields: {
      ir_version: one('int64', 1),
      producer_name: one('string', 2),
      producer_version: one('string', 3),
      domain: one('string', 4),
      model_version: one('int64', 5),
      doc_string: one('string', 6),
      graph: one('GraphProto', 7),
      opset_import: many('OperatorSetIdProto', 8),
      metadata_props: many('StringStringEntryProto', 14),
      training_info: many('TrainingInfoProto', 20),
      functions: many('FunctionProto', 25),
      // IR 11 device configuration: opaque bytes.
      configuration: many('bytes', 26),
      // Present in IR 7 drafts; kept so such files round-trip.
      global_mutable_initializer_names: many('string', 30),
    },
  },
  TensorAnnotation: {
    fields: { tensor_name: one('string', 1), quant_parameter_tensor_names: many('StringStringEntryProto', 2) },
  },
  GraphProto: {
    fields: {
      node: many('NodeProto', 1),
      name: one('string', 2),
      initializer: many('TensorProto', 5),
      doc_string: one('string', 10),
      input: many('ValueInfoProto', 11),
      output: many('ValueInfoProto', 12),
      value_info: many('ValueInfoProto', 13),
      quantization_annotation: many('TensorAnnotation', 14),
      sparse_initializer: many('SparseTensorProto', 15),
      metadata_props: many('StringStringEntryProto', 16),
    },
  },
  TensorProto: {
    fields: {
      dims: expanded('int64', 1),
      data_type: one('int32', 2),
      segment: one('Segment', 3),
      float_data: packed('float', 4),
      int32_data: packed('int32', 5),
      string_data: many('bytes', 6),
      int64_data: packed('int64', 7),
      name: one('string', 8),
      raw_data: one('bytes', 9),
      double_data: packed('double', 10),
      uint64_data: packed('uint64', 11),
      doc_string: one('string', 12),
      external_data: many('StringStringEntryProto', 13),
      data_location: one('int32', 14),
      metadata_props: many('StringStringEntryProto', 16),
    },
    nested: { Segment: { fields: { begin: one('int64', 1), end: one('int64', 2) } } },
  },
  SparseTensorProto: {
    fields: { values: one('TensorProto', 1), indices: one('TensorProto', 2), dims: expanded('int64', 3) },
  },
  TensorShapeProto: {
    fields: { dim: many('Dimension', 1) },
    nested: {
      Dimension: { fields: { dim_value: one('int64', 1), dim_param: one('string', 2), denotation: one('string', 3) } },
    },
  },
  TypeProto: {
    fields: {
      tensor_type: one('TensorTypeProto', 1),
      sequence_type: one('SequenceTypeProto', 4),
      map_type: one('MapTypeProto', 5),
      denotation: one('string', 6),
      opaque_type: one('OpaqueTypeProto', 7),
      sparse_tensor_type: one('TensorTypeProto', 8),
      optional_type: one('SequenceTypeProto', 9),
    },
  },
  // TypeProto.Tensor / SparseTensor share one layout; Sequence / Optional share one layout.
  TensorTypeProto: { fields: { elem_type: one('int32', 1), shape: one('TensorShapeProto', 2) } },
  SequenceTypeProto: { fields: { elem_type: one('TypeProto', 1) } },
  MapTypeProto: { fields: { key_type: one('int32', 1), value_type: one('TypeProto', 2) } },
  OpaqueTypeProto: { fields: { domain: one('string', 1), name: one('string', 2) } },
  FunctionProto: {
    fields: {
      name: one('string', 1),
      input: many('string', 4),
      output: many('string', 5),
      attribute: many('string', 6),
      node: many('NodeProto', 7),
      doc_string: one('string', 8),
      opset_import: many('OperatorSetIdProto', 9),
      domain: one('string', 10),
      attribute_proto: many('AttributeProto', 11),
      value_info: many('ValueInfoProto', 12),
      overload: one('string', 13),
      metadata_props: many('StringStringEntryProto', 14),
    },
  },
};

/** Every type is proto2: optional fields track presence, so a present zero (e.g. Clip min=0) is written back. */
function asProto2(specs: typeof messages): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs))
    out[name] = { edition: 'proto2', fields: spec.fields, nested: spec.nested && asProto2(spec.nested) };
  return out;
}

/** The protobufjs JSON descriptor (package `onnx`). */
export const ONNX_DESCRIPTOR = { nested: { onnx: { nested: asProto2(messages) } } };
