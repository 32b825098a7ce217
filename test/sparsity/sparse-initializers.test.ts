import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { sparseProtoIfSmaller } from '../../src/exporters/onnx/sparse-initializers.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

/** x[N, 64] · W[64, 64] with `keep` of every 10 weights non-zero. */
function model(keep: number) {
  const b = new OnnxBuilder({ opset: 13 });
  const x = b.input('x', ['N', 64]);
  const w = new Float32Array(64 * 64).map((_, i) => (i % 10 < keep ? ((i * 7919) % 97) / 97 - 0.5 : 0));
  b.output(b.node('MatMul', [x, b.initializer('w', 'float32', [64, 64], w)], {}, { name: 'mm', outputs: ['y'] }), ['N', 64]);
  return { graph: b.toGraph(), w };
}

describe('sparse_initializer export', () => {
  it('is written only when smaller than dense (density < 1/2 with int32 indices)', () => {
    expect(sparseProtoIfSmaller({ name: 'w', dtype: 'float32', dims: [64, 64], values: model(3).w })?.dims).toEqual([64, 64]);
    expect(sparseProtoIfSmaller({ name: 'w', dtype: 'float32', dims: [64, 64], values: model(5).w })).toBeUndefined();
    expect(sparseProtoIfSmaller({ name: 'w', dtype: 'float32', dims: [4], values: new Float32Array(4) })).toBeUndefined(); // tiny
    expect(sparseProtoIfSmaller({ name: 'w', dtype: 'int32', dims: [2048], values: new Int32Array(2048) })).toBeUndefined();
  });
  it('a 30 %-dense weight: smaller file, onnxruntime-node loads it, outputs equal the dense model; our reader densifies it back', async () => {
    const { graph, w } = model(3);
    const dense = exportOnnx(graph);
    const sparse = exportOnnx(graph, { sparseInitializers: true });
    expect(sparse.length).toBeLessThan(dense.length * 0.7);
    const x = new Float32Array(2 * 64).map((_, i) => Math.sin(i));
    const run = async (bytes: Uint8Array) => Array.from((await (await OrtSession.create(bytes)).run({ x: { dtype: 'float32', shape: [2, 64], data: x } })).y.data as Float32Array);
    const [a, b] = [await run(dense), await run(sparse)];
    b.forEach((v, i) => expect(Math.abs(v - a[i])).toBeLessThan(1e-6));
    expect(Array.from(parseOnnx(sparse).initializers.get('w')!.values as Float32Array)).toEqual(Array.from(w));
  });
});
