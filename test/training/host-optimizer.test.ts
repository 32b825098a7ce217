/**
 * The host optimizer (tight Float32Array loops for the ORT trainer's host-side parameters) against the
 * tfjs Sgd / Adam it stands in for: bit-identical parameters and slots after several steps with an LR
 * change, weight decay, a skipped (undefined) gradient, momentum with dampening, Nesterov, and Adam.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { Adam, Sgd, type Optimizer } from '../../src/training/optimizers/index.js';
import { HostOptimizer } from '../../src/training/optimizers/host.js';
import { seededRandom } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const shapes = [[3, 5], [7], [2, 2, 3]];

function run(make: (vars: tf.Variable[]) => Optimizer) {
  const before = tf.memory().numTensors;
  const rnd = seededRandom(12);
  const values = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rnd() * 2 - 1));
  const vars = values.map((v, i) => tf.tidy(() => tf.variable(tf.tensor(v, shapes[i]), true)));
  const opt = make(vars);
  const host = new HostOptimizer(opt.type);
  const hostValues = values.map((v) => Float32Array.from(v));
  for (let step = 0; step < 6; step++) {
    const grads = shapes.map((s, i) =>
      // variable 1 has no gradient on step 2 (skipped by both, as torch skips grad None)
      step === 2 && i === 1 ? undefined : Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (rnd() * 2 - 1) * 10 ** -(i + step % 3)),
    );
    if (step === 3) opt.lr *= 0.5;
    const tensors = grads.map((g, i) => (g ? tf.tensor(g, shapes[i]) : undefined));
    opt.apply(tensors);
    tf.dispose(tensors.filter((t): t is tf.Tensor => !!t));
    host.apply(opt, grads.map((g, i) => ({ index: i, values: hostValues[i], grad: g })));
  }
  const slots = opt.getState().slots;
  for (const [name, m] of Object.entries(slots))
    for (const [i, s] of Object.entries(m)) expect(Array.from(host.slots.get(name)!.get(Number(i))!), `${name}[${i}]`).toEqual(Array.from(s.data));
  expect(host.steps).toBe(opt.getState().steps);
  vars.forEach((v, i) => expect(Array.from(hostValues[i]), `variable ${i}`).toEqual(Array.from(v.dataSync())));
  // the parameters moved (not a comparison of untouched values)
  expect(Math.abs(hostValues[0][0] - values[0][0])).toBeGreaterThan(1e-4);
  opt.dispose();
  tf.dispose(vars);
  expect(tf.memory().numTensors).toBe(before);
}

describe('HostOptimizer = the tfjs optimizers, bit for bit', () => {
  it('SGD, weight decay, no momentum', () => run((v) => new Sgd(v, { lr: 0.1, weightDecay: 1e-3 })));
  it('SGD, momentum 0.9, dampening 0.1, weight decay', () => run((v) => new Sgd(v, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 5e-4 })));
  it('SGD, Nesterov', () => run((v) => new Sgd(v, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })));
  it('Adam, weight decay', () => run((v) => new Adam(v, { lr: 3e-3, betas: [0.8, 0.99], eps: 1e-7, weightDecay: 1e-3 })));
  it('Adam, no weight decay', () => run((v) => new Adam(v, { lr: 1e-3 })));
  it('refuses an optimizer of another type', () => {
    const v = [tf.variable(tf.zeros([1]))];
    const sgd = new Sgd(v, { lr: 1 });
    expect(() => new HostOptimizer('adam').apply(sgd, [])).toThrow(/host optimizer is adam, the trainer's is sgd/);
    sgd.dispose();
    tf.dispose(v);
  });
});
