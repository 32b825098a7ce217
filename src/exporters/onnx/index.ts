export { exportOnnx, saveOnnx, writeFileAtomic, type OnnxExportOptions, type OnnxSaveOptions } from './save.js';
export { buildModelProto, irVersionForOpset } from './model-proto.js';
