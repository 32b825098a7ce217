import * as tf from '@tensorflow/tfjs-core';
import { blockTraces, hessian } from '../test/quantization/hawq-bn-reference.js';
import { hutchinsonTraces, defaultHessianCriterion } from '../src/initialization/index.js';
import { Engine, initBackend } from '../src/engine/index.js';
import { Random } from '../src/data/index.js';
import { OnnxBuilder } from '../test/helpers/onnx-builder.js';
await initBackend('wasm');
const S=4,C=2,K=3,N=16,BATCH=8;
const r = new Random(3);
const u = (n: number, s: number) => Float64Array.from({ length: n }, () => Math.fround((r.float() * 2 - 1) * s));
const fill = (v: number) => Float64Array.from({ length: C }, () => v);
const p = { S, C, K, convW: u(C * 9, 0.5), convB: u(C, 0.1), gamma: fill(1), beta: fill(0), runMean: fill(-2), runVar: fill(4), fcW: u(K * C * S * S, 0.5), fcB: u(K, 0.1), eps: 1e-5 };
const x = Float32Array.from({ length: N * S * S }, () => r.normal());
const y = Int32Array.from({ length: N }, () => r.int(K));
const batches = [0, 1].map((b) => ({ n: BATCH, x: Float64Array.from(x.subarray(b * BATCH * S * S, (b + 1) * BATCH * S * S)), y: y.slice(b * BATCH, (b + 1) * BATCH) }));
const blocks: [number, number][] = [[0, C * 9], [C * 9, C * 9 + K * C * S * S]];
for (const h of [1e-4, 1e-5, 1e-6]) console.log('ref h', h, JSON.stringify(blockTraces(hessian(p, batches, true, h), blocks).map(t=>t.trace)));
const b = new OnnxBuilder({ opset: 13 });
const f32 = (v: Float64Array) => Float32Array.from(v);
let t = b.node('Conv', [b.input('x', ['N', 1, S, S]), b.initializer('conv.weight', 'float32', [C, 1, 3, 3], f32(p.convW)), b.initializer('conv.bias', 'float32', [C], f32(p.convB))], { pads: [1, 1, 1, 1] }, { name: 'conv/Conv' });
t = b.node('BatchNormalization', [t, b.initializer('bn.scale', 'float32', [C], f32(p.gamma)), b.initializer('bn.bias', 'float32', [C], f32(p.beta)), b.initializer('bn.mean', 'float32', [C], f32(p.runMean)), b.initializer('bn.var', 'float32', [C], f32(p.runVar))], { epsilon: p.eps, momentum: 0.9 }, { name: 'bn' });
t = b.node('Relu', [t], {}, { name: 'relu' });
t = b.node('Flatten', [t], { axis: 1 }, { name: 'fl' });
b.node('Gemm', [t, b.initializer('fc.weight', 'float32', [K, C * S * S], f32(p.fcW)), b.initializer('fc.bias', 'float32', [K], f32(p.fcB))], { transB: 1 }, { name: 'fc', outputs: ['logits'] });
b.output('logits', ['N', K]);
const g = b.toGraph();
const eng = new Engine(g);
const ws = eng.weights();
const params = ['conv.weight','fc.weight'].map(n => ws.find(w=>w.name===n)!.variable);
const xs = [0,1].map(i => tf.tensor(x.subarray(i*BATCH*S*S,(i+1)*BATCH*S*S), [BATCH,1,S,S]));
const ys = [0,1].map(i => tf.tensor(y.slice(i*BATCH,(i+1)*BATCH), [BATCH], 'int32'));
// engine loss vs reference loss
const l = tf.tidy(()=> defaultHessianCriterion(eng.run({x: xs[0]}, {training: true}).logits, ys[0]).dataSync()[0]);
const { loss } = await import('../test/quantization/hawq-bn-reference.js');
console.log('loss engine', l, 'ref', loss(p, Float64Array.from([...p.convW, ...p.fcW]), batches[0], true));
for (const epsilon of [] as number[]) {
  const res = await hutchinsonTraces({ params, numBatches: 2, iterNumber: 200, tolerance: 0, seed: 1, epsilon, gradients: (i) => {
    const { value, grads } = tf.variableGrads(() => defaultHessianCriterion(eng.run({ x: xs[i] }, { training: true }).logits, ys[i]) as tf.Scalar, params);
    value.dispose(); return params.map(q => grads[q.name]); } });
  console.log('engine eps', epsilon, res.traces);
}
{
  const { hessianVectorProduct } = await import('../src/initialization/index.js');
  const H = hessian(p, [batches[0]], true);
  const rr = new Random(7);
  const vArr = Float64Array.from({ length: H.length }, () => (rr.float() < 0.5 ? -1 : 1));
  const want = H.map(row => row.reduce((a, h, j) => a + h * vArr[j], 0));
  const permC = ws.find(w=>w.name==='conv.weight')!.perm; const permF = ws.find(w=>w.name==='fc.weight')!.perm; console.log('perms', permC, permF);
  const vt = [tf.transpose(tf.tensor(Float32Array.from(vArr.subarray(0, 18)), [2,1,3,3]), permC ?? undefined), permF ? tf.transpose(tf.tensor(Float32Array.from(vArr.subarray(18)), [3, 32]), permF) : tf.tensor(Float32Array.from(vArr.subarray(18)), [3, 32])];
  const inv = (perm: number[]) => perm.map((_, i) => perm.indexOf(i));
  for (const training of [true, false]) {
    const Hm = hessian(p, [batches[0]], training);
    const wantM = Hm.map(row => row.reduce((a, h, j) => a + h * vArr[j], 0));
    for (const epsilon of [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4]) {
      const hv = await hessianVectorProduct(params, () => { const { value, grads } = tf.variableGrads(() => defaultHessianCriterion(eng.run({ x: xs[0] }, { training }).logits, ys[0]) as tf.Scalar, params); value.dispose(); return params.map(q => grads[q.name]); }, vt, epsilon);
      const got = [...tf.transpose(hv[0], inv(permC!)).dataSync(), ...(permF ? tf.transpose(hv[1], inv(permF)) : hv[1]).dataSync()];
      const errConv = Math.max(...got.slice(0,18).map((g,i)=>Math.abs(g-wantM[i])));
      const errFc = Math.max(...got.slice(18).map((g,i)=>Math.abs(g-wantM[18+i])));
      const trConv = got.slice(0,18).reduce((a,g,i)=>a+g*vArr[i],0)/18, wantTr = wantM.slice(0,18).reduce((a,g,i)=>a+g*vArr[i],0)/18;
      console.log(training?'train':'eval', 'eps', epsilon, 'max|err| conv', errConv.toExponential(2), 'fc', errFc.toExponential(2), 'max|Hv| conv', Math.max(...wantM.slice(0,18).map(Math.abs)).toFixed(3), 'vHv/n conv', trConv.toFixed(4), 'want', wantTr.toFixed(4));
      tf.dispose(hv);
    }
  }
}
{
  const l = tf.tidy(()=> defaultHessianCriterion(eng.run({x: xs[0]}, {training: false}).logits, ys[0]).dataSync()[0]);
  console.log('EVAL loss engine', l, 'ref', loss(p, Float64Array.from([...p.convW, ...p.fcW]), batches[0], false));
  const l2 = tf.tidy(()=> defaultHessianCriterion(eng.run({x: xs[0]}, {training: true}).logits, ys[0]).dataSync()[0]);
  console.log('TRAIN loss engine', l2, 'ref', loss(p, Float64Array.from([...p.convW, ...p.fcW]), batches[0], true));
  const m = eng.getWeight('bn.mean'); console.log('bn.mean now', m.dataSync());
}
