import { describe, expect, it } from 'vitest';
import { loadOnnxModel, parseOnnx, ModelLoadError, assertSupported } from '../../src/frontends/onnx/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { resnetStyle } from '../helpers/models.js';
import { seededFloats } from './ort-utils.js';

const model = resnetStyle({ batch: 1, size: 8 });

function loadError(f: () => unknown): ModelLoadError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelLoadError);
    return err as ModelLoadError;
  }
  throw new Error('expected a ModelLoadError');
}

describe('bad model input gives ModelLoadError with a clear message', () => {
  it('truncated file', () => {
    for (const keep of [0.5, 0.9, 0.999]) {
      const err = loadError(() => parseOnnx(model.bytes.subarray(0, Math.floor(model.bytes.length * keep))));
      expect(err.message).toMatch(/corrupt or truncated|not an ONNX model|needs \d+ bytes/);
    }
  });

  it('random bytes (many seeds)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const bytes = new Uint8Array(seededFloats(256, seed).buffer);
      const err = loadError(() => parseOnnx(bytes));
      expect(err.message).toMatch(/not (a valid )?(an )?ONNX model/);
    }
  });

  it('empty input and a missing file', async () => {
    expect(loadError(() => parseOnnx(new Uint8Array())).message).toMatch(/empty/);
    await expect(loadOnnxModel('/nonexistent/model.onnx')).rejects.toThrow(/cannot read model file "\/nonexistent\/model.onnx": ENOENT/);
  });

  it('inconsistent shapes name the node', () => {
    const b = new OnnxBuilder({ opset: 13 });
    const x = b.input('x', [1, 3, 8, 8]);
    b.output(b.node('Conv', [x, b.randomWeight('w', [4, 5, 3, 3])], { kernel_shape: [3, 3] }, { name: 'bad_conv' }));
    const err = loadError(() => parseOnnx(b.toBytes()));
    expect(err.message).toContain('Conv node "bad_conv": input has 3 channels but weight expects 5');
  });

  it('a dangling input names the node and tensor', () => {
    const b = new OnnxBuilder({ opset: 13 });
    b.input('x', [2]);
    b.output(b.node('Add', ['x', 'missing'], {}, { name: 'adder' }));
    expect(loadError(() => parseOnnx(b.toBytes())).message).toContain('node "adder" (Add) reads tensor "missing"');
  });

  it('assertSupported names the first unsupported node and lists op types', () => {
    const g = parseOnnx(model.bytes);
    const err = loadError(() => assertSupported(g, ['Conv', 'Relu', 'Add', 'GlobalAveragePool', 'Flatten'], 'the engine'));
    expect(err.message).toMatch(/unsupported op BatchNormalization at node "stem\/BatchNormalization" \(\d+ node\(s\) of unsupported type\(s\) BatchNormalization, Gemm for the engine\)/);
    expect(err.nodeName).toBe('stem/BatchNormalization');
    expect(() => parseOnnx(model.bytes, { supportedOps: ['Conv'] })).toThrow(/unsupported op BatchNormalization at node "stem\/BatchNormalization"/);
    expect(() => assertSupported(g, ['Conv', 'Relu', 'Add', 'GlobalAveragePool', 'Flatten', 'BatchNormalization', 'Gemm'])).not.toThrow();
  });
});
