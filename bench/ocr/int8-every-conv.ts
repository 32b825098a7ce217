/**
 * Why the INT8 PP-OCR classifier (MobileNetV3-small) is slower than FP32 on onnxruntime-node: an upper
 * bound. Takes the QDQ export of `npm run bench:ocr` (per-tensor activations), adds a uint8 Q/DQ pair
 * (min/max of 64 calibration samples) on every Conv output that has none — so ORT can turn every Conv
 * into QLinearConv, which NNCF's placement does not allow before HardSwish — and times FP32, the export
 * and this "every conv integer" variant side by side (1 thread).
 *
 *   npm run bench:ocr-int8-every-conv
 *
 * Not an export mode: the added quantizers change the model's values; it only measures whether more
 * integer convolutions would make INT8 faster than FP32 on this model (they do not: see the output).
 */
import { readFileSync } from 'node:fs';
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset, readNpy, type NdArray } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { decodeModelProto, encodeModelProto, type ModelProto, type NodeProto } from '../../src/graph/onnx-proto/index.js';
import { benchmarkSession, countOpTypes, OrtSession, saveOptimizedModel } from '../../src/runtime/index.js';

const OCR_CLS = '.cache/data/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx';
const CALIB = '.cache/data/ocr-direction-calib/x.npy';
const PER = 3 * 48 * 192;

const slice = (x: NdArray, n: number): NdArray => ({ ...x, shape: [n, 3, 48, 192], data: x.data.subarray(0, n * PER) }) as NdArray;
const f32Bytes = (v: number) => new Uint8Array(Float32Array.of(v).buffer);

/** Adds Q/DQ on every Conv output not already read by QuantizeLinear only; returns the new model and how many. */
async function requantizeConvOutputs(bytes: Uint8Array, calib: NdArray): Promise<{ bytes: Uint8Array; added: number }> {
  const model = decodeModelProto(bytes) as ModelProto;
  const g = model.graph!;
  const nodes = g.node!;
  const readers = new Map<string, NodeProto[]>();
  for (const n of nodes) for (const i of n.input ?? []) (readers.get(i) ?? readers.set(i, []).get(i)!).push(n);
  const targets = nodes
    .filter((n) => n.op_type === 'Conv' && !(readers.get(n.output![0]) ?? []).every((c) => c.op_type === 'QuantizeLinear'))
    .map((n) => n.output![0]);
  const s = await OrtSession.create(bytes, { extraOutputs: targets });
  const out = await s.run(calib);
  await s.release();
  for (const t of targets) {
    let lo = 0;
    let hi = 0;
    for (const v of out[t].data as Float32Array) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const scale = (hi - lo) / 255 || 1;
    const zp = Math.min(255, Math.max(0, Math.round(-lo / scale)));
    g.initializer!.push({ name: `${t}/rq_s`, data_type: 1, dims: [], raw_data: f32Bytes(scale) }, { name: `${t}/rq_zp`, data_type: 2, dims: [], raw_data: Uint8Array.of(zp) });
    const at = nodes.findIndex((n) => n.output!.includes(t));
    const consumers = readers.get(t) ?? [];
    nodes.splice(
      at + 1,
      0,
      { op_type: 'QuantizeLinear', name: `${t}/rqQ`, input: [t, `${t}/rq_s`, `${t}/rq_zp`], output: [`${t}/rq_q`], attribute: [] },
      { op_type: 'DequantizeLinear', name: `${t}/rqDQ`, input: [`${t}/rq_q`, `${t}/rq_s`, `${t}/rq_zp`], output: [`${t}/rq_dq`], attribute: [] },
    );
    for (const c of consumers) c.input = c.input!.map((i) => (i === t ? `${t}/rq_dq` : i));
  }
  return { bytes: encodeModelProto(model), added: targets.length };
}

async function integerConvs(bytes: Uint8Array, path: string): Promise<string> {
  await saveOptimizedModel(bytes, path, { intraOpThreads: 1 });
  const ops = await countOpTypes(path);
  return `${ops.get('QLinearConv') ?? 0} QLinearConv, ${(ops.get('Conv') ?? 0) + (ops.get('com.microsoft:FusedConv') ?? 0)} float Conv`;
}

await initBackend('wasm');
const calib = (await readNpy(CALIB)) as NdArray;
const config = NNCFConfig.fromObject({
  input_info: { sample_size: [1, 3, 48, 192] },
  compression: {
    algorithm: 'quantization',
    export_to_onnx_standard_ops: true,
    activations: { per_channel: false },
    initializer: { range: { num_init_samples: 256 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
  },
});
const r = await createCompressedModel(await loadOnnxModel(OCR_CLS), config, { initDataset: new Dataset(calib) });
const int8 = exportCompressedModelBytes(r);
r.controller.dispose();
const every = await requantizeConvOutputs(int8, slice(calib, 64));
console.log(`QDQ export: ${await integerConvs(int8, '/tmp/ocr-int8.opt.onnx')}; + ${every.added} conv-output Q/DQ: ${await integerConvs(every.bytes, '/tmp/ocr-every.opt.onnx')}`);
const sessions: [string, OrtSession][] = [
  ['FP32', await OrtSession.create(new Uint8Array(readFileSync(OCR_CLS)), { intraOpThreads: 1, graphOptimizationLevel: 'all' })],
  ['INT8 (export)', await OrtSession.create(int8, { intraOpThreads: 1, graphOptimizationLevel: 'all' })],
  ['INT8 every conv', await OrtSession.create(every.bytes, { intraOpThreads: 1, graphOptimizationLevel: 'all' })],
];
const median: Record<string, [number, number]> = {};
for (let round = 0; round < 2; round++)
  for (const [name, s] of sessions) {
    const b1 = await benchmarkSession(s, slice(calib, 1), { repeats: 200, warmup: 20 });
    const b64 = await benchmarkSession(s, slice(calib, 64), { repeats: 10, warmup: 2 });
    median[name] = [b1.median, b64.median];
  }
for (const [name, [b1, b64]] of Object.entries(median))
  console.log(`${name.padEnd(16)} batch 1 ${b1.toFixed(3)} ms  batch 64 ${b64.toFixed(2)} ms  FP32/this: ${(median.FP32[0] / b1).toFixed(2)}× / ${(median.FP32[1] / b64).toFixed(2)}×`);
for (const [, s] of sessions) await s.release();
