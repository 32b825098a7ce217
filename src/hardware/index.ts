export * from './types.js';
export * from './devices.js';
export * from './qconfigs.js';
export * from './constraints.js';
export { CPU_HW_CONFIG, GPU_HW_CONFIG } from './configs/cpu-gpu.js';
export { NPU_HW_CONFIG } from './configs/npu.js';
export { NAMED_QCONFIGS } from './configs/shared.js';
