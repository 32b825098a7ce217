/** `export_to_onnx_standard_ops: false` is honoured with one warning that ONNX Runtime cannot run the export; absent or true: none. */
import { describe, expect, it } from 'vitest';
import { formatIssue, NNCFConfig } from '../../src/config/index.js';

const warningsOf = (document: object) => NNCFConfig.fromObject(document).warnings.map((w) => formatIssue(w));

describe('FakeQuantize export warning', () => {
  it('an explicit false in a quantization section: one warning naming the key, ONNX Runtime and the alternative', () => {
    const w = warningsOf({ compression: { algorithm: 'quantization', export_to_onnx_standard_ops: false } });
    expect(w).toEqual([
      'warning: compression.export_to_onnx_standard_ops: false exports OpenVINO FakeQuantize nodes, which ONNX Runtime cannot run ' +
        '(nncf-ts run/eval --runtime engine can); remove the key for QuantizeLinear/DequantizeLinear',
    ]);
  });

  it('in a list of sections the path names the entry', () => {
    const w = warningsOf({ compression: [{ algorithm: 'knowledge_distillation', type: 'mse' }, { algorithm: 'quantization', export_to_onnx_standard_ops: false }] });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^warning: compression\[1\]\.export_to_onnx_standard_ops: false exports OpenVINO FakeQuantize/);
  });

  it('absent or true: no warning', () => {
    expect(warningsOf({ compression: { algorithm: 'quantization' } })).toEqual([]);
    expect(warningsOf({ compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true } })).toEqual([]);
  });

  it('the file form has the line of the key', () => {
    const text = '{\n  "compression": {\n    "algorithm": "quantization",\n    "export_to_onnx_standard_ops": false\n  }\n}\n';
    const config = NNCFConfig.fromText(text, 'c.json');
    expect(formatIssue(config.warnings[0]!, config.file)).toMatch(/^c\.json:4:\d+: warning: compression\.export_to_onnx_standard_ops: false/);
  });
});
