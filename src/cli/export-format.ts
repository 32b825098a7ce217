/**
 * `--format onnx|fq` of compress and train: binarization's export form — standard ONNX ops ORT runs
 * (default) or NNCF's FakeQuantize levels=2 nodes (`fq`, for OpenVINO and our engine). Quantization
 * keeps its own config key (export_to_onnx_standard_ops), so `fq` without binarization is refused.
 */
import type { CompressionController } from '../compression/index.js';
import type { NNCFConfig } from '../config/index.js';
import { UsageError } from './usage-error.js';

export type ExportFormat = 'onnx' | 'fq';

export function parseExportFormat(value: string | undefined, config: NNCFConfig): ExportFormat {
  if (value === undefined || value === 'onnx') return 'onnx';
  if (value !== 'fq') throw new UsageError(`--format must be onnx or fq, got '${value}'`);
  if (!config.hasAlgorithm('binarization'))
    throw new UsageError('--format fq sets the export form of binarization, and the config has none (quantization: use its export_to_onnx_standard_ops key)');
  return 'fq';
}

export async function applyExportFormat(controller: CompressionController, format: ExportFormat): Promise<void> {
  if (format === 'onnx') return;
  const { setBinarizationExportFormat } = await import('../algorithms/binarization/index.js');
  setBinarizationExportFormat(controller, format);
}
