import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../../src/engine/kernels/index.js';
registerWasmGradientKernels();
await tf.setBackend('wasm');
function rnd(shape: number[], seed: number) { const n = shape.reduce((a, b) => a * b, 1); const a = new Float32Array(n); let s = seed; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; a[i] = s / 2147483648 - 0.5; } return a; }
function run(backend: string, name: string, inputs: Record<string, [number[], Float32Array]>, attrs: object) {
  tf.setBackend(backend);
  const ins: Record<string, tf.Tensor> = {}; for (const [k, [sh, v]] of Object.entries(inputs)) ins[k] = tf.tensor(v, sh);
  const t0 = performance.now(); const r = tf.engine().runKernel(name, ins, attrs as any) as tf.Tensor; const v = r.dataSync(); const ms = performance.now() - t0;
  tf.dispose([r, ...Object.values(ins)]); return { v, ms };
}
function relErr(a: Float32Array, b: Float32Array) { let m = 0, s = 0; for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); } return m / s; }
const cases = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 1], s: 1, p: 'same' }, { x: [2, 7, 7, 3], f: [3, 3, 3, 2], s: 2, p: 'same' },
  { x: [2, 8, 6, 3], f: [3, 2, 3, 3], s: [2, 1], p: 'valid' }, { x: [1, 9, 9, 2], f: [3, 3, 2, 1], s: 1, p: 'valid', d: 2 },
  { x: [2, 9, 8, 3], f: [3, 3, 3, 1], s: 2, p: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [64, 32, 32, 32], f: [3, 3, 32, 1], s: 1, p: 'same' }, { x: [64, 32, 32, 32], f: [3, 3, 32, 1], s: 2, p: 'same' }, { x: [64, 16, 16, 64], f: [3, 3, 64, 1], s: 1, p: 'same' },
];
for (const c of cases) {
  const big = c.x[0] > 8;
  const attrs = { strides: c.s, pad: c.p, dilations: c.d ?? 1 };
  tf.setBackend('cpu');
  const out = tf.depthwiseConv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.f) as tf.Tensor4D, c.s as any, c.p as any, 'NHWC', (c.d ?? 1) as any);
  const oshape = out.shape; out.dispose();
  const x = rnd(c.x, 1), f = rnd(c.f, 2), dy = rnd(oshape, 3);
  run('wasm', 'DepthwiseConv2dNative', { x: [c.x, x], filter: [c.f, f] }, attrs);
  const fwd = run('wasm', 'DepthwiseConv2dNative', { x: [c.x, x], filter: [c.f, f] }, attrs);
  const wf = run('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x: [c.x, x], dy: [oshape, dy] }, { ...attrs, filterShape: c.f });
  const wf2 = run('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x: [c.x, x], dy: [oshape, dy] }, { ...attrs, filterShape: c.f });
  const wi = run('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy: [oshape, dy], filter: [c.f, f] }, { ...attrs, inputShape: c.x });
  const wi2 = run('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy: [oshape, dy], filter: [c.f, f] }, { ...attrs, inputShape: c.x });
  let line = `${JSON.stringify(c)} fwd ${fwd.ms.toFixed(1)}ms bf ${wf2.ms.toFixed(1)}ms bi ${wi2.ms.toFixed(1)}ms`;
  if (!big || process.argv[2] === 'all') {
    const cf = run('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x: [c.x, x], dy: [oshape, dy] }, { ...attrs, filterShape: c.f });
    const ci = run('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy: [oshape, dy], filter: [c.f, f] }, { ...attrs, inputShape: c.x });
    line += ` errF ${relErr(wf.v as Float32Array, cf.v as Float32Array).toExponential(2)} errI ${relErr(wi.v as Float32Array, ci.v as Float32Array).toExponential(2)} cpu ${cf.ms.toFixed(0)}/${ci.ms.toFixed(0)}`;
  }
  console.log(line);
}
