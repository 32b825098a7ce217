/**
 * `export_to_onnx_standard_ops: false` written in a quantization section: the export will hold OpenVINO
 * FakeQuantize nodes, which ONNX Runtime cannot load. It is honoured (NNCF's meaning), and said once.
 * Without the key nncf-ts exports QuantizeLinear/DequantizeLinear (defaults.ts).
 */
import type { ConfigIssue } from './errors.js';

export function fakeQuantizeExportWarnings(document: Record<string, unknown>): ConfigIssue[] {
  const compression = document.compression;
  const sections = Array.isArray(compression) ? compression : compression === undefined ? [] : [compression];
  return sections.flatMap((section: unknown, i): ConfigIssue[] => {
    const s = section as { algorithm?: unknown; export_to_onnx_standard_ops?: unknown } | null;
    const quantization = s?.algorithm === 'quantization' || s?.algorithm === 'experimental_quantization'; // the same builder
    if (!quantization || s?.export_to_onnx_standard_ops !== false) return [];
    return [
      {
        kind: 'schema',
        severity: 'warning',
        path: `${Array.isArray(compression) ? `compression[${i}]` : 'compression'}.export_to_onnx_standard_ops`,
        message:
          'false exports OpenVINO FakeQuantize nodes, which ONNX Runtime cannot run (nncf-ts run/eval --runtime engine can); remove the key for QuantizeLinear/DequantizeLinear',
      },
    ];
  });
}
