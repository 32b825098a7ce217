/**
 * EfficientNet-B0 placement experiment (docs/benchmarks.md, "EfficientNet-B0: where INT8 time goes"): every
 * SiLU between two activation quantizers (`DQ → Sigmoid → Q → DQ → Mul → Q`) is a function of one uint8
 * value, so it is rewritten exactly as `Cast(uint8→int32) → Gather(table[256])`; prints the ORT output
 * difference to the QDQ export and FP32 / QDQ / lookup latency, interleaved, at batch 1 and 8 × 1 and 2 threads.
 *
 *   npx tsx bench/zoo/silu-lookup.ts [MODEL-STYLE-BATCH]   (default efficientnet_b0-folded-dyn)
 */
import { readFileSync } from 'node:fs';
import { decodeModelProto, encodeModelProto, type NodeProto, type TensorProto } from '../../src/graph/onnx-proto/index.js';
import { interleavedLatencies, OrtSession } from '../../src/runtime/index.js';
import { quantizeZooModel } from './ptq.js';
import { randomImages, ZOO_DIR } from './zoo.js';

const fp32Path = `${ZOO_DIR}/${process.argv[2] ?? 'efficientnet_b0-folded-dyn'}.onnx`;
const int8 = (await quantizeZooModel(fp32Path)).int8;
const m = decodeModelProto(int8);
const g = m.graph!;
const inits = new Map(g.initializer!.map((t) => [t.name!, t]));
const scalar = (name: string): number => {
  const t = inits.get(name)!;
  const dt = t.data_type!;
  if (t.raw_data && t.raw_data.length) {
    const b = Buffer.from(t.raw_data);
    return dt === 1 ? b.readFloatLE(0) : dt === 2 ? b.readUInt8(0) : dt === 3 ? b.readInt8(0) : NaN;
  }
  if (dt === 1) return t.float_data![0];
  return t.int32_data?.[0] ?? 0;
};
const byOut = new Map<string, NodeProto>();
const consumers = new Map<string, NodeProto[]>();
for (const n of g.node!) {
  for (const o of n.output!) byOut.set(o, n);
  for (const i of n.input!) consumers.set(i, [...(consumers.get(i) ?? []), n]);
}
const rne = (x: number) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r; };
const q = (x: number, s: number, z: number) => Math.min(255, Math.max(0, rne(x / s) + z));
const remove = new Set<NodeProto>();
const add: { before: NodeProto; nodes: NodeProto[] }[] = [];
let k = 0;
for (const sig of g.node!.filter((n) => n.op_type === 'Sigmoid')) {
  const dqA = byOut.get(sig.input![0]);
  if (dqA?.op_type !== 'DequantizeLinear') continue;
  const qS = consumers.get(sig.output![0])?.[0];
  if (qS?.op_type !== 'QuantizeLinear') continue;
  const dqS = consumers.get(qS.output![0])?.[0];
  const mul = consumers.get(dqS!.output![0])?.[0];
  if (mul?.op_type !== 'Mul' || !mul.input!.includes(dqA.output![0])) continue;
  const usersA = consumers.get(dqA.output![0])!;
  if (usersA.length !== 2) continue;
  const qB = consumers.get(mul.output![0]);
  if (qB?.length !== 1 || qB[0].op_type !== 'QuantizeLinear') continue;
  const [sa, za, ss, zs, sb, zb] = [dqA.input![1], dqA.input![2], qS.input![1], qS.input![2], qB[0].input![1], qB[0].input![2]].map(scalar);
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const x = Math.fround((v - za) * sa);
    const s = Math.fround((q(Math.fround(1 / (1 + Math.exp(-x))), ss, zs) - zs) * ss);
    table[v] = q(Math.fround(x * s), sb, zb);
  }
  const name = `lut${k++}`;
  g.initializer!.push({ name: `${name}/table`, data_type: 2, dims: [256], raw_data: table } as TensorProto);
  const idx = `${name}/idx`;
  add.push({ before: mul, nodes: [
    { op_type: 'Cast', name: `${name}/Cast`, input: [dqA.input![0]], output: [idx], attribute: [{ name: 'to', type: 2, i: 6 }] } as NodeProto,
    { op_type: 'Gather', name: `${name}/Gather`, input: [`${name}/table`, idx], output: [qB[0].output![0]] } as NodeProto,
  ] });
  for (const n of [dqA, sig, qS, dqS!, mul, qB[0]]) remove.add(n);
}
const out: NodeProto[] = [];
for (const n of g.node!) {
  const a = add.find((x) => x.before === n);
  if (a) out.push(...a.nodes);
  if (!remove.has(n)) out.push(n);
}
g.node = out;
console.log('SiLU LUTs', k);
const lut = encodeModelProto(m);
const fp32 = new Uint8Array(readFileSync(fp32Path));
const x = randomImages(1, 7);
const outs: Float32Array[] = [];
for (const b of [fp32, int8, lut]) { const s = await OrtSession.create(b, { graphOptimizationLevel: 'all' }); const r = await s.run(x); outs.push(Object.values(r)[0].data as Float32Array); await s.release(); }
const diff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
console.log('max |int8-fp32|', diff(outs[0], outs[1]), 'max |lut-int8|', diff(outs[1], outs[2]), 'argmax', [0, 1, 2].map((i) => outs[i].indexOf(Math.max(...outs[i]))));
for (const threads of [1, 2]) for (const batch of [1, 8]) {
  const r = await interleavedLatencies([fp32, int8, lut], randomImages(batch, 7), { runs: batch === 1 ? 40 : 8, threads });
  console.log(`b${batch} t${threads}: min fp32 ${r[0].min.toFixed(2)} int8 ${r[1].min.toFixed(2)} lut ${r[2].min.toFixed(2)}; speed-up int8 ${(r[0].min / r[1].min).toFixed(2)}× lut ${(r[0].min / r[2].min).toFixed(2)}× (median ${(r[0].median / r[1].median).toFixed(2)}× / ${(r[0].median / r[2].median).toFixed(2)}×)`);
}
