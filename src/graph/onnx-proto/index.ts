// ONNX protobuf schema and codec, shared by the ONNX frontend and exporter (lives under graph/ so that
// both may import it; it depends only on graph types and protobufjs).
export * from './messages.js';
export * from './codec.js';
export * from './dtypes.js';
export * from './float-formats.js';
export * from './fingerprint.js';
export * from './tensor-decode.js';
export * from './tensor-encode.js';
export * from './attributes.js';
export * from './nodes.js';
export * from './value-info.js';
export * from './model-info.js';
