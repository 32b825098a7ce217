/** Hardware-config vocabulary. This folder imports nothing of the project: it is pure data + small functions. */

export type QuantizationMode = 'symmetric' | 'asymmetric';
export type Granularity = 'perchannel' | 'pertensor';

/** Target devices accepted by the config (`VPU` is the pre-v2.10 name of NPU). */
export type TargetDevice = 'ANY' | 'CPU' | 'GPU' | 'NPU' | 'VPU' | 'CPU_SPR' | 'TRIAL';
export const TARGET_DEVICES: readonly TargetDevice[] = ['ANY', 'CPU', 'GPU', 'NPU', 'VPU', 'CPU_SPR', 'TRIAL'];

/** One concrete quantizer configuration (NNCF QuantizerConfig). */
export interface QuantizerConfig {
  bits: number;
  mode: QuantizationMode;
  perChannel: boolean;
  /** true/false: forced signedness; undefined: decided from statistics at range init. */
  signed?: boolean;
}

/** A named config of a HW config file (`q8_a`, `q8_w_sym`…): lists expand to every combination. */
export interface HwQConfigDef {
  bits: number;
  mode: readonly QuantizationMode[];
  granularity: readonly Granularity[];
  /** Informational (the builder decides narrow range); listed because NNCF's files list it. */
  narrowRange?: readonly boolean[];
  /** level_low < 0 < level_high given for a symmetric config → signedness forced to signed. */
  forceSigned?: boolean;
}

/** One operation entry of a HW config. */
export interface HwOpEntry {
  type: string;
  /** Named configs allowed for activation inputs; absent = op known but not quantized on its inputs. */
  activations?: readonly string[];
  weights?: readonly string[];
  /** `scales: unified`: all inputs share one quantizer. */
  unifiedScales?: boolean;
  /** NPU `adjust_padding` for convolutions. */
  adjustPadding?: boolean;
  /** Attribute-specific entry (GPU/NPU Interpolate by `mode`). */
  attributes?: { mode?: string };
}

export interface HwConfig {
  /** 'CPU' | 'GPU' | 'NPU' */
  name: string;
  qconfigs: Readonly<Record<string, HwQConfigDef>>;
  operations: readonly HwOpEntry[];
}
