import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { readInts } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, onnxShape, plain, withPerm, type Value } from '../value.js';

/**
 * RNN, GRU and LSTM (ONNX semantics: gate orders i-o-f-c and z-r-h, forward / reverse / bidirectional,
 * peepholes, clip, input_forget, linear_before_reset, layout 0/1, named activations). W and R are stored
 * transposed ([D, in, gates·H]) so each step is a plain matMul; X·W for all steps is one matMul.
 */
type Act = (x: tf.Tensor) => tf.Tensor;

function activation(name: string, alpha: number | undefined, beta: number | undefined, ctx: OpContext): Act {
  switch (name.toLowerCase()) {
    case 'sigmoid': return tf.sigmoid;
    case 'tanh': return tf.tanh;
    case 'relu': return tf.relu;
    case 'affine': return (x) => tf.add(tf.mul(x, alpha ?? 1), beta ?? 0);
    case 'leakyrelu': return (x) => tf.leakyRelu(x, alpha ?? 0.01);
    case 'thresholdedrelu': return (x) => tf.where(tf.greater(x, alpha ?? 1), x, tf.zerosLike(x));
    case 'scaledtanh': return (x) => tf.mul(tf.tanh(tf.mul(x, beta ?? 1)), alpha ?? 1);
    case 'hardsigmoid': return (x) => tf.clipByValue(tf.add(tf.mul(x, alpha ?? 0.2), beta ?? 0.5), 0, 1);
    case 'elu': return (x) => tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), alpha ?? 1));
    case 'softsign': return (x) => tf.div(x, tf.add(tf.abs(x), 1));
    case 'softplus': return tf.softplus;
    default: throw ctx.error(`unsupported activation "${name}"`);
  }
}

type Cell = (xw: tf.Tensor, state: tf.Tensor[], d: number) => tf.Tensor[];

function runRecurrent(kind: 'RNN' | 'GRU' | 'LSTM') {
  const gates = kind === 'RNN' ? 1 : kind === 'GRU' ? 3 : 4;
  const defaults = kind === 'RNN' ? ['Tanh'] : kind === 'GRU' ? ['Sigmoid', 'Tanh'] : ['Sigmoid', 'Tanh', 'Tanh'];
  return (ins: (Value | undefined)[], ctx: OpContext): Value[] => {
    const [xv, wv, rv, bv, lensV, h0v, c0v, pv] = ins;
    const layout = ctx.int('layout', 0);
    let x = canonical(xv!);
    if (layout === 1) x = tf.transpose(x, [1, 0, 2]);
    const [seq, batch] = x.shape;
    const hidden = ctx.int('hidden_size') ?? onnxShape(wv!)[1] / gates;
    const direction = ctx.string('direction', 'forward');
    const dirs = direction === 'bidirectional' ? 2 : 1;
    if (lensV && readInts(canonical(lensV)).some((l) => l !== seq)) throw ctx.error('sequence_lens shorter than the sequence are not supported');
    const names = ctx.attribute('activations')?.value as string[] | undefined;
    const alphas = ctx.floats('activation_alpha') ?? [];
    const betas = ctx.floats('activation_beta') ?? [];
    const acts = Array.from({ length: dirs * defaults.length }, (_, i) => activation(names?.[i] ?? defaults[i % defaults.length], alphas[i], betas[i], ctx));
    const clip = ctx.has('clip') ? ctx.float('clip', 0) : undefined;
    const clipped = (t: tf.Tensor) => (clip === undefined ? t : tf.clipByValue(t, -clip, clip));
    const W = withPerm(wv!, [0, 2, 1]); // [D, I, G·H]
    const R = withPerm(rv!, [0, 2, 1]); // [D, H, G·H]
    const B = bv ? canonical(bv) : undefined; // [D, 2·G·H]
    const P = pv ? canonical(pv) : undefined;
    const init = (v: Value | undefined, layoutSwap: boolean) => (v ? (layoutSwap ? tf.transpose(canonical(v), [1, 0, 2]) : canonical(v)) : tf.zeros([dirs, batch, hidden]));
    const h0 = init(h0v, layout === 1);
    const c0 = init(c0v, layout === 1);
    const lbr = ctx.int('linear_before_reset', 0) === 1;
    const inputForget = ctx.int('input_forget', 0) === 1;
    const ys: tf.Tensor[] = [];
    const lastH: tf.Tensor[] = [];
    const lastC: tf.Tensor[] = [];
    for (let d = 0; d < dirs; d++) {
      const wd = tf.squeeze(tf.slice(W, [d, 0, 0], [1, -1, -1]), [0]);
      const rd = tf.squeeze(tf.slice(R, [d, 0, 0], [1, -1, -1]), [0]);
      const [wb, rb] = B ? tf.split(tf.reshape(tf.slice(B, [d, 0], [1, -1]), [-1]), 2) : [tf.zeros([gates * hidden]), tf.zeros([gates * hidden])];
      const a = (k: number) => acts[d * defaults.length + k];
      // All steps' input projections at once: [S·N, I] x [I, G·H].
      const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [seq * batch, -1]), wd), wb), [seq, batch, gates * hidden]);
      const cell: Cell =
        kind === 'RNN'
          ? (xt, [h]) => [a(0)(clipped(tf.add(xt, tf.add(tf.matMul(h, rd), rb))))]
          : kind === 'GRU'
            ? (xt, [h]) => {
                const [xz, xr, xh] = tf.split(xt, 3, 1);
                const [rz, rr, rh] = tf.split(rd, 3, 1);
                const [bz, br, bh] = tf.split(rb, 3);
                const z = a(0)(clipped(tf.add(xz, tf.add(tf.matMul(h, rz), bz))));
                const r = a(0)(clipped(tf.add(xr, tf.add(tf.matMul(h, rr), br))));
                const hh = lbr ? tf.mul(r, tf.add(tf.matMul(h, rh), bh)) : tf.add(tf.matMul(tf.mul(r, h), rh), bh);
                const cand = a(1)(clipped(tf.add(xh, hh)));
                return [tf.add(tf.mul(tf.sub(1, z), cand), tf.mul(z, h))];
              }
            : (xt, [h, c]) => {
                const pre = tf.add(xt, tf.add(tf.matMul(h, rd), rb));
                const [pi, po, pf, pc] = tf.split(pre, 4, 1);
                const [peepI, peepO, peepF] = P ? tf.split(tf.reshape(tf.slice(P, [d, 0], [1, -1]), [-1]), 3) : [undefined, undefined, undefined];
                const peep = (t: tf.Tensor, p: tf.Tensor | undefined, cc: tf.Tensor) => (p ? tf.add(t, tf.mul(p, cc)) : t);
                const i = a(0)(clipped(peep(pi, peepI, c)));
                const f = inputForget ? tf.sub(1, i) : a(0)(clipped(peep(pf, peepF, c)));
                const cNew = tf.add(tf.mul(f, c), tf.mul(i, a(1)(clipped(pc))));
                const o = a(0)(clipped(peep(po, peepO, cNew)));
                return [tf.mul(o, a(2)(cNew)), cNew];
              };
      const reverse = direction === 'reverse' || d === 1;
      let state = [tf.squeeze(tf.slice(h0, [d, 0, 0], [1, -1, -1]), [0]), tf.squeeze(tf.slice(c0, [d, 0, 0], [1, -1, -1]), [0])];
      const outs = new Array<tf.Tensor>(seq);
      for (let s = 0; s < seq; s++) {
        const t = reverse ? seq - 1 - s : s;
        const next = cell(tf.squeeze(tf.slice(xw, [t, 0, 0], [1, -1, -1]), [0]), state, d);
        state = kind === 'LSTM' ? next : [next[0], state[1]];
        outs[t] = state[0];
      }
      ys.push(tf.stack(outs)); // [S, N, H]
      lastH.push(state[0]);
      lastC.push(state[1]);
    }
    let y = tf.stack(ys, 1); // [S, D, N, H]
    let yh = tf.stack(lastH); // [D, N, H]
    let yc = tf.stack(lastC);
    if (layout === 1) {
      y = tf.transpose(y, [2, 0, 1, 3]);
      yh = tf.transpose(yh, [1, 0, 2]);
      yc = tf.transpose(yc, [1, 0, 2]);
    }
    return [plain(y), plain(yh), plain(yc)];
  };
}

for (const kind of ['RNN', 'GRU', 'LSTM'] as const)
  registerOp({
    opType: kind,
    layout: 'custom',
    runValues: runRecurrent(kind),
    weightPorts: () => (kind === 'LSTM' ? [1, 2, 3, 7] : [1, 2, 3]),
    weightPerm: (_node, port) => (port === 1 || port === 2 ? [0, 2, 1] : null),
  });
