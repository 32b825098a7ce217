import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndarray } from '../../src/data/index.js';
import { OrtSession, RuntimeError, argmaxRows, runBatched, top1Accuracy, withExtraOutputs } from '../../src/runtime/index.js';
import { affineModel, convBnReluModel, twoInputModel } from './tiny-models.js';

const x = ndarray('float32', [2, 3], Float32Array.from([1, -2, 3, -4, 5, -6]));
const sessions: OrtSession[] = [];
async function open(...args: Parameters<typeof OrtSession.create>) {
  const s = await OrtSession.create(...args);
  sessions.push(s);
  return s;
}
afterAll(async () => {
  for (const s of sessions) await s.release();
});

describe('OrtSession', () => {
  it('runs a model from bytes and from a file, with metadata and thread options', async () => {
    const s = await open(affineModel(), { intraOpThreads: 1, interOpThreads: 1 });
    expect(s.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['N', 3] }]);
    expect(s.outputNames).toEqual(['y']);
    const { y } = await s.run({ x });
    expect(y.shape).toEqual([2, 3]);
    // relu(x) * [1,2,3] + 0.5
    expect(Array.from(y.data as Float32Array)).toEqual([1.5, 0.5, 9.5, 0.5, 10.5, 0.5]);

    const dir = await mkdtemp(join(tmpdir(), 'rt-'));
    await writeFile(join(dir, 'm.onnx'), affineModel());
    const f = await open(join(dir, 'm.onnx'), { extraOutputs: ['relu'] });
    const out = await f.run(x);
    expect(Array.from(out.relu.data as Float32Array)).toEqual([1, 0, 3, 0, 5, 0]);
  });

  it('returns intermediate tensors on request, in addition to the outputs', async () => {
    const s = await open(affineModel(), { extraOutputs: ['relu', 'mul', 'y'] });
    expect(s.outputNames).toEqual(['y', 'relu', 'mul']);
    const out = await s.run({ x });
    expect(Array.from(out.mul.data as Float32Array)).toEqual([1, 0, 9, 0, 10, 0]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([1.5, 0.5, 9.5, 0.5, 10.5, 0.5]);
    const only = await s.run({ x }, ['relu']);
    expect(Object.keys(only)).toEqual(['relu']);
    // graph inputs can be exposed too
    const withInput = await open(affineModel(), { extraOutputs: ['x'] });
    expect(Array.from((await withInput.run(x)).x.data as Float32Array)).toEqual(Array.from(x.data as Float32Array));
  });

  it('rejects extra outputs that are not node outputs, and bad model bytes', async () => {
    await expect(OrtSession.create(affineModel(), { extraOutputs: ['nope'] })).rejects.toThrow(
      "model: cannot expose 'nope' as an output: it is not produced by any node of the main graph",
    );
    await expect(OrtSession.create(affineModel(), { extraOutputs: ['w'] })).rejects.toThrow(/'w' .* is an initializer/);
    expect(() => withExtraOutputs(new Uint8Array([0xff, 0xff, 0xff, 0xff]), ['a'], 'bad.onnx')).toThrow(/bad\.onnx: not a valid ONNX model/);
    await expect(OrtSession.create(new Uint8Array([8, 1, 0xff, 0xff, 3]))).rejects.toThrow(RuntimeError);
    const bytes = affineModel();
    await expect(OrtSession.create(bytes.subarray(0, bytes.length - 20))).rejects.toThrow(/onnxruntime cannot load model/);
    await expect(OrtSession.create('/nonexistent/m.onnx')).rejects.toThrow(/onnxruntime cannot load \/nonexistent\/m\.onnx/);
  });

  it('checks feeds: names, dtype and shape, with clear messages', async () => {
    const s = await open(affineModel());
    await expect(s.run({ x: ndarray('float32', [2, 4]) })).rejects.toThrow("input 'x': expected shape [N, 3], got [2, 4]");
    await expect(s.run({ x: ndarray('float32', [3]) })).rejects.toThrow("input 'x': expected shape [N, 3], got [3]");
    await expect(s.run({ x: ndarray('float64', [1, 3]) })).rejects.toThrow("input 'x': expected float32 data, got float64");
    await expect(s.run({ z: x })).rejects.toThrow("unknown input 'z' (model inputs: x)");
    await expect(s.run({})).rejects.toThrow("missing input 'x'");
    await expect(s.run({ x }, ['relu'])).rejects.toThrow("unknown output 'relu' (outputs: y)");
  });

  it('runs multi-input models with int64 inputs', async () => {
    const s = await open(twoInputModel());
    const out = await s.run({ a: ndarray('float32', [2], Float32Array.from([1.25, -3])), bi: ndarray('int64', [2], BigInt64Array.from([7n, -2n])) });
    expect(Array.from(out.sum.data as Float32Array)).toEqual([2.5, -6]);
    expect(Array.from(out.cast.data as Float32Array)).toEqual([7, -2]);
    await expect(s.run(x)).rejects.toThrow(/the model has 2 inputs \(a, bi\); feed them by name/);
  });

  it('matches a hand-computed Conv → BatchNorm → Relu', async () => {
    const s = await open(convBnReluModel());
    const input = Float32Array.from({ length: 16 }, (_, i) => (i - 7) / 3);
    const { y } = await s.run(ndarray('float32', [1, 1, 4, 4], input));
    const w = Array.from({ length: 18 }, (_, i) => ((i % 5) - 2) / 4);
    const [g, beta, mean, vr] = [[1, 2], [0.1, -0.1], [0.2, 0], [1, 4]];
    for (let oc = 0; oc < 2; oc++) {
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          let acc = 0;
          for (let kr = 0; kr < 3; kr++) {
            for (let kc = 0; kc < 3; kc++) {
              const ir = r + kr - 1;
              const ic = c + kc - 1;
              if (ir >= 0 && ir < 4 && ic >= 0 && ic < 4) acc += input[ir * 4 + ic] * w[oc * 9 + kr * 3 + kc];
            }
          }
          const bn = ((acc - mean[oc]) / Math.sqrt(vr[oc] + 1e-5)) * g[oc] + beta[oc];
          expect(y.data[oc * 16 + r * 4 + c]).toBeCloseTo(Math.max(0, bn), 5);
        }
      }
    }
  });

  it('runs in batches and concatenates outputs; argmax per row', async () => {
    const s = await open(affineModel());
    const big = ndarray('float32', [5, 3], Float32Array.from({ length: 15 }, (_, i) => (i % 4) - 1));
    const seen: number[] = [];
    const { y } = await runBatched(s, big, { batchSize: 2, onBatch: (_o, start) => void seen.push(start) });
    expect(seen).toEqual([0, 2, 4]);
    expect(y.shape).toEqual([5, 3]);
    const whole = (await s.run(big)).y;
    expect(Array.from(y.data as Float32Array)).toEqual(Array.from(whole.data as Float32Array));
    expect(Array.from(argmaxRows(ndarray('float32', [2, 3], Float32Array.from([0, 5, 1, 9, 2, 3]))))).toEqual([1, 0]);
    expect(await runBatched(s, big, { batchSize: 2, discard: true })).toEqual({});
    await expect(runBatched(s, big, { batchSize: 0 })).rejects.toThrow(/batch size must be a positive integer/);
    // rows of y = relu(big)·[1,2,3] + 0.5 peak at [2, 0, 1, 2, 2]
    const { accuracy, predictions } = await top1Accuracy(s, big, [2, 0, 1, 0, 1], { batchSize: 2 });
    expect(Array.from(predictions)).toEqual([2, 0, 1, 2, 2]);
    expect(accuracy).toBe(0.6);
    await expect(top1Accuracy(s, big, [1, 2])).rejects.toThrow(/5 samples but 2 labels/);
  });
});
