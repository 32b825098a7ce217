/**
 * `npm run bench:fq`: the fake-quantize op alone, forward + backward (all gradients), composed tfjs
 * ops (fused: false) vs the fused kernels, in one run. Input [64,16,16,32] NHWC, per-channel on
 * axis 3 (and per-tensor), symmetric and asymmetric 8-bit.
 * Options: --iters N (default 20), --warmup N (default 3), --backend wasm|cpu (default wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/index.js';
import {
  asymmetricFakeQuantize,
  asymmetricLevels,
  symmetricFakeQuantize,
  symmetricLevels,
} from '../src/algorithms/quantization/fake-quantize/index.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const iters = Number(arg('iters', '20'));
const warmup = Number(arg('warmup', '3'));
const backend = await initBackend(arg('backend', 'wasm') as 'wasm' | 'cpu');

const shape = [64, 16, 16, 32];
const C = shape[3];
const x = tf.randomNormal(shape, 0, 1.5, 'float32', 1);
const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);

type Variant = {
  name: string;
  params: tf.Tensor[];
  fq: (fused: boolean) => (...t: tf.Tensor[]) => tf.Tensor;
};
const perChannel = [1, 1, 1, C];
const variants: Variant[] = [
  {
    name: 'symmetric per-channel',
    params: [tf.randomUniform(perChannel, 0.5, 3, 'float32', 3)],
    fq: (fused) => (a, s) => symmetricFakeQuantize(a, s, symmetricLevels(8, true), { fused }),
  },
  {
    name: 'asymmetric per-channel',
    params: [
      tf.randomUniform(perChannel, -3, 0, 'float32', 4),
      tf.randomUniform(perChannel, 1, 5, 'float32', 5),
    ],
    fq: (fused) => (a, l, r) => asymmetricFakeQuantize(a, l, r, asymmetricLevels(8), { fused }),
  },
  {
    name: 'symmetric per-tensor',
    params: [tf.tensor([2], [1])],
    fq: (fused) => (a, s) => symmetricFakeQuantize(a, s, symmetricLevels(8, true), { fused }),
  },
];

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** Wall and CPU time (this process; tfjs wasm is single-threaded) of fn, in ms. */
function clock(fn: () => void): [number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return [performance.now() - t0, (c.user + c.system) / 1000];
}

type Times = { fwd: number; step: number; fwdCpu: number; stepCpu: number };

function time(f: (...t: tf.Tensor[]) => tf.Tensor, params: tf.Tensor[]): Times {
  const rows: number[][] = [];
  for (let i = 0; i < warmup + iters; i++) {
    // (The block body matters: tf.tidy walks a returned typed array element by element.)
    const fwd = clock(() =>
      tf.tidy(() => {
        f(x, ...params).dataSync();
      }),
    );
    const step = clock(() =>
      tf.tidy(() =>
        tf
          .grads(f)([x, ...params], dy)
          .forEach((g) => g.dataSync()),
      ),
    );
    if (i >= warmup) rows.push([...fwd, ...step]);
  }
  const col = (k: number) => median(rows.map((r) => r[k]));
  return { fwd: col(0), fwdCpu: col(1), step: col(2), stepCpu: col(3) };
}

const load = (await import('node:os')).loadavg()[0];
console.log(
  `fake quantize [${shape}], ${backend}, median of ${iters} after ${warmup} warm-up (ms; load average ${load.toFixed(1)})`,
);
console.log('variant                  path      forward  fwd+bwd   (CPU: forward  fwd+bwd)');
const fmt = (v: number) => v.toFixed(1).padStart(7);
for (const v of variants) {
  const old = time(v.fq(false), v.params);
  const neu = time(v.fq(true), v.params);
  const row = (path: string, t: Times) =>
    console.log(
      `${v.name.padEnd(24)} ${path.padEnd(9)} ${fmt(t.fwd)}  ${fmt(t.step)}         ${fmt(t.fwdCpu)}  ${fmt(t.stepCpu)}`,
    );
  row('composed', old);
  row('fused', neu);
  const x = (a: number, b: number) => `${(a / b).toFixed(1).padStart(6)}×`;
  console.log(
    `${''.padEnd(24)} speedup   ${x(old.fwd, neu.fwd)}  ${x(old.step, neu.step)}         ${x(old.fwdCpu, neu.fwdCpu)}  ${x(old.stepCpu, neu.stepCpu)}`,
  );
}
console.log(`live tensors at the end: ${tf.memory().numTensors}`);
