import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndarray, Random } from '../../src/data/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { encodeModelProto } from '../../src/graph/onnx-proto/index.js';
import { OrtSession, argmaxRows, runBatched } from '../../src/runtime/index.js';
import { affineModel, valueInfo } from './tiny-models.js';

const x = ndarray('float32', [2, 3], Float32Array.from([1, -2, 3, -4, 5, -6]));

describe('OrtSession from a Graph and with external data', () => {
  it('runs a Graph (exported in memory) with extra outputs', async () => {
    const graph = await loadOnnxModel(affineModel());
    const s = await OrtSession.fromGraph(graph, { extraOutputs: ['mul'] });
    const out = await s.run(x);
    expect(Array.from(out.y.data as Float32Array)).toEqual([1.5, 0.5, 9.5, 0.5, 10.5, 0.5]);
    expect(Array.from(out.mul.data as Float32Array)).toEqual([1, 0, 9, 0, 10, 0]);
    await s.release();
  });

  it('keeps external weight files working when extra outputs are added to a model file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ext-'));
    await writeFile(join(dir, 'w.bin'), new Uint8Array(Float32Array.from([2, 3, 4]).buffer));
    const bytes = encodeModelProto({
      ir_version: 8,
      opset_import: [{ domain: '', version: 17 }],
      graph: {
        name: 'ext',
        node: [
          { op_type: 'Mul', input: ['x', 'w'], output: ['m'] },
          { op_type: 'Neg', input: ['m'], output: ['y'] },
        ],
        initializer: [{ name: 'w', data_type: 1, dims: [3], data_location: 1, external_data: [{ key: 'location', value: 'w.bin' }] }],
        input: [valueInfo('x', ['N', 3])],
        output: [valueInfo('y', ['N', 3])],
      },
    });
    await writeFile(join(dir, 'm.onnx'), bytes);
    const s = await OrtSession.create(join(dir, 'm.onnx'), { extraOutputs: ['m'] });
    const out = await s.run(x);
    expect(Array.from(out.m.data as Float32Array)).toEqual([2, -6, 12, -8, 15, -24]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([-2, 6, -12, 8, -15, 24]);
    await s.release();
    expect((await readdir(dir)).sort()).toEqual(['m.onnx', 'w.bin']); // the temporary model is gone
  });
});

const cls = '.cache/data/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx';
describe.runIf(existsSync(cls))('real model: PP-OCR direction classifier', () => {
  it('runs in batches and exposes every Conv output of the main graph', async () => {
    const graph = await loadOnnxModel(cls);
    const convs = graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.outputs[0]);
    expect(convs.length).toBeGreaterThan(20);
    const plain = await OrtSession.create(cls, { intraOpThreads: 2 });
    const withStats = await OrtSession.create(cls, { extraOutputs: convs, intraOpThreads: 2 });
    expect(withStats.outputNames.length).toBe(plain.outputNames.length + convs.length);
    const rng = new Random(3);
    const input = ndarray('float32', [3, 3, 48, 192], Float32Array.from({ length: 3 * 3 * 48 * 192 }, () => rng.float() * 2 - 1));
    const a = await plain.run(input);
    const b = await withStats.run(input);
    const name = plain.outputNames[0];
    expect(a[name].shape).toEqual([3, 2]);
    // exposing tensors blocks some fusions inside ORT: equal up to float rounding
    (b[name].data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo((a[name].data as Float32Array)[i], 5));
    expect(b[convs[0]].shape[0]).toBe(3);
    expect(b[convs[0]].shape.length).toBe(4);
    // softmax rows sum to 1; batched run equals one big run
    const probs = a[name].data as Float32Array;
    for (let r = 0; r < 3; r++) expect(probs[2 * r] + probs[2 * r + 1]).toBeCloseTo(1, 5);
    const batched = await runBatched(plain, input, { batchSize: 2 });
    Array.from(batched[name].data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(probs[i], 5));
    expect(argmaxRows(batched[name]).length).toBe(3);
    await plain.release();
    await withStats.release();
  });
});
