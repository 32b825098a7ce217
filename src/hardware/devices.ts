import { CPU_HW_CONFIG, GPU_HW_CONFIG } from './configs/cpu-gpu.js';
import { NPU_HW_CONFIG } from './configs/npu.js';
import { TARGET_DEVICES, type HwConfig, type TargetDevice } from './types.js';

export class HardwareConfigError extends Error {
  override name = 'HardwareConfigError';
}

/** What each `target_device` means (config-reference §5). */
export interface DeviceTraits {
  /** HW config in force; null for TRIAL (no HW constraints). */
  hwConfig: HwConfig | null;
  /** `preset` is applied (ANY/CPU/GPU always, with default `performance`; TRIAL only when given). */
  presetPolicy: 'default-performance' | 'only-if-given' | 'forbidden';
  /** overflow fix (half-range 8-bit weights) may apply. */
  overflowFix: boolean;
}

const DEVICES: Readonly<Record<TargetDevice, DeviceTraits>> = {
  ANY: { hwConfig: CPU_HW_CONFIG, presetPolicy: 'default-performance', overflowFix: true },
  CPU: { hwConfig: CPU_HW_CONFIG, presetPolicy: 'default-performance', overflowFix: true },
  GPU: { hwConfig: GPU_HW_CONFIG, presetPolicy: 'default-performance', overflowFix: false },
  NPU: { hwConfig: NPU_HW_CONFIG, presetPolicy: 'forbidden', overflowFix: false },
  VPU: { hwConfig: NPU_HW_CONFIG, presetPolicy: 'forbidden', overflowFix: false },
  // NNCF maps CPU_SPR to the CPU config (its PyTorch quantization builder then rejects it).
  CPU_SPR: { hwConfig: CPU_HW_CONFIG, presetPolicy: 'default-performance', overflowFix: true },
  TRIAL: { hwConfig: null, presetPolicy: 'only-if-given', overflowFix: false },
};

export function isTargetDevice(s: string): s is TargetDevice {
  return (TARGET_DEVICES as readonly string[]).includes(s);
}

export function deviceTraits(device: string): DeviceTraits {
  if (!isTargetDevice(device))
    throw new HardwareConfigError(`unknown target_device "${device}"; expected one of ${TARGET_DEVICES.join(', ')}`);
  return DEVICES[device];
}

export function hwConfigFor(device: string): HwConfig | null {
  return deviceTraits(device).hwConfig;
}
