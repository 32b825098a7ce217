import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { Adam, Sgd, TrainingConfigError } from '../../src/training/index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const vals = (v: tf.Tensor) => Array.from(v.dataSync());
const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 6));

/** Runs `steps` updates with fixed gradients; returns the parameter after each. */
function run(make: (vs: tf.Variable[]) => Sgd | Adam, p0: number[], grads: number[][]): number[][] {
  const p = tf.variable(tf.tensor1d(p0));
  const opt = make([p]);
  const out: number[][] = [];
  for (const g of grads) {
    const gt = tf.tensor1d(g);
    opt.apply([gt]);
    gt.dispose();
    out.push(vals(p));
  }
  opt.dispose();
  p.dispose();
  return out;
}

describe('SGD (torch.optim.SGD rules)', () => {
  const g = [[1, -2], [0.5, 0.5], [-1, 1]];
  it('plain: p -= lr·g', () => {
    close(run((v) => new Sgd(v, { lr: 0.1 }), [1, 2], g)[2], [1 - 0.1 * (1 + 0.5 - 1), 2 - 0.1 * (-2 + 0.5 + 1)]);
  });
  it('momentum 0.9 + weight decay 0.01 by hand', () => {
    // p=1: d1 = 1 + .01 = 1.01, buf=1.01, p=1-.101=.899 ; d2 = .5+.00899=.50899, buf=.9*1.01+.50899=1.41799, p=.899-.141799=.757201
    const r = run((v) => new Sgd(v, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }), [1], [[1], [0.5]]);
    close(r[0], [0.899]);
    close(r[1], [0.757201]);
  });
  it('Nesterov: d + μ·buf', () => {
    // step1: buf=1, d=1+.9=1.9 → p=1-.19=.81 ; step2: buf=.9+.5=1.4, d=.5+1.26=1.76 → p=.81-.176=.634
    const r = run((v) => new Sgd(v, { lr: 0.1, momentum: 0.9, nesterov: true }), [1], [[1], [0.5]]);
    close(r[0], [0.81]);
    close(r[1], [0.634]);
  });
  it('dampening scales the new gradient after the first step', () => {
    // buf1=1 (no dampening on first), p=.9 ; buf2=.9*1+(1-.5)*1=1.4, p=.9-.14=.76
    close(run((v) => new Sgd(v, { lr: 0.1, momentum: 0.9, dampening: 0.5 }), [1], [[1], [1]])[1], [0.76]);
  });
  it('a missing gradient leaves the variable and its momentum untouched', () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([5]));
    const opt = new Sgd([a, b], { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    const g = tf.tensor1d([1]);
    opt.apply([g, undefined]);
    expect(vals(b)).toEqual([5]);
    expect(Object.keys(opt.getState().slots.momentum_buffer)).toEqual(['0']);
    tf.dispose([a, b, g]);
    opt.dispose();
  });
  it('errors name the option', () => {
    expect(() => new Sgd([], { lr: -1 })).toThrow(TrainingConfigError);
    expect(() => new Sgd([], { lr: -1 })).toThrow('optimizer.base_lr');
    expect(() => new Sgd([], { lr: 0.1, nesterov: true })).toThrow('optimizer.optimizer_params.nesterov');
    expect(() => new Sgd([], { lr: 0.1, momentum: -1 })).toThrow('optimizer.optimizer_params.momentum');
    expect(() => new Sgd([], { lr: 0.1, weightDecay: -1 })).toThrow('optimizer.weight_decay');
  });
});

describe('Adam (torch.optim.Adam rules)', () => {
  it('two steps by hand, with L2 weight decay', () => {
    const [b1, b2, eps, lr, wd] = [0.9, 0.999, 1e-8, 0.01, 0.1];
    let p = 1, m = 0, v = 0;
    const expected: number[] = [];
    [0.5, -0.25].forEach((g0, k) => {
      const g = g0 + wd * p;
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const t = k + 1;
      p = p - (lr / (1 - b1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps));
      expected.push(p);
    });
    const r = run((vs) => new Adam(vs, { lr, weightDecay: wd }), [1], [[0.5], [-0.25]]);
    close([r[0][0], r[1][0]], expected);
    // first Adam step moves by ≈ lr·sign(g)
    expect(1 - expected[0]).toBeCloseTo(0.01, 6);
  });
  it('errors name the option', () => {
    expect(() => new Adam([], { lr: 0.1, betas: [1, 0.9] })).toThrow('optimizer.optimizer_params.betas[0]');
    expect(() => new Adam([], { lr: 0.1, eps: -1 })).toThrow('optimizer.optimizer_params.eps');
  });
});

describe('optimizer state', () => {
  it('round-trips exactly: a restored optimizer continues bit-identically', () => {
    const grads = [[0.3, -0.7], [0.1, 0.2], [-0.4, 0.9], [0.05, -0.01]];
    for (const make of [(v: tf.Variable[]) => new Adam(v, { lr: 0.01, weightDecay: 1e-4 }), (v: tf.Variable[]) => new Sgd(v, { lr: 0.05, momentum: 0.9, nesterov: true })]) {
      const full = run(make, [1, -1], grads)[3];
      const p = tf.variable(tf.tensor1d([1, -1]));
      const a = make([p]);
      for (const g of grads.slice(0, 2)) tf.tidy(() => a.apply([tf.tensor1d(g)]));
      const state = a.getState();
      a.dispose();
      const b = make([p]);
      b.loadState(structuredClone(state));
      for (const g of grads.slice(2)) tf.tidy(() => b.apply([tf.tensor1d(g)]));
      expect(vals(p)).toEqual(full);
      b.dispose();
      p.dispose();
    }
  });
  it('loading state of another type or shape fails clearly', () => {
    const p = tf.variable(tf.tensor1d([1, 2]));
    const sgd = new Sgd([p], { lr: 0.1, momentum: 0.9 });
    const adam = new Adam([p], { lr: 0.1 });
    expect(() => sgd.loadState(adam.getState())).toThrow('"adam" state but the optimizer is "sgd"');
    expect(() => sgd.loadState({ type: 'sgd', lr: 0.1, weightDecay: 0, steps: 1, slots: { momentum_buffer: { 0: { shape: [3], data: new Float32Array(3) } } } })).toThrow('has shape [3] but the variable has [2]');
    expect(() => sgd.loadState({ type: 'sgd', lr: 0.1, weightDecay: 0, steps: 1, slots: { momentum_buffer: { 4: { shape: [2], data: new Float32Array(2) } } } })).toThrow('no variable');
    tf.dispose(p);
    sgd.dispose();
    adam.dispose();
  });
});
