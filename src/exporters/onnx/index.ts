export { exportOnnx, saveOnnx, writeFileAtomic, type OnnxExportOptions, type OnnxSaveOptions } from './save.js';
export { buildModelProto, irVersionForOpset } from './model-proto.js';
export {
  writeQuantizers, writeQdqQuantizers, writeFakeQuantizeNodes, qdqParams, quantizeValues, levelGrid, QuantizedExportError,
  OPENVINO_DOMAIN, type QuantizerExportSpec, type QuantizedExportOptions, type QdqExportOptions, type QdqExportSummary, type OrtCleanupSummary, cleanForOrt,
  type WeightTarget, type ActivationTarget, type LevelGrid,
} from './quantized/index.js';
