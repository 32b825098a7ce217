import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { defineOp } from '../registry.js';

/** Elementwise unary ops: layout-agnostic, so a channels-last input stays channels-last. */
type Unary = (x: tf.Tensor, ctx: OpContext) => tf.Tensor;

const unary = (name: string, f: Unary) => defineOp(name, ([x], ctx) => f(x!, ctx), { layout: 'elementwise' });

unary('Relu', (x) => tf.relu(x));
unary('Sigmoid', (x) => tf.sigmoid(x));
unary('Tanh', (x) => tf.tanh(x));
unary('Exp', (x) => tf.exp(x));
unary('Log', (x) => tf.log(x));
unary('Sqrt', (x) => tf.sqrt(x));
unary('Neg', (x) => tf.neg(x));
unary('Abs', (x) => tf.abs(x));
unary('Erf', (x) => tf.erf(x));
unary('Reciprocal', (x) => tf.reciprocal(x));
unary('Floor', (x) => tf.floor(x));
unary('Ceil', (x) => tf.ceil(x));
unary('Round', (x) => tf.round(x)); // tfjs rounds half to even, as ONNX does
unary('Sign', (x) => tf.sign(x));
unary('Sin', (x) => tf.sin(x));
unary('Cos', (x) => tf.cos(x));
unary('Not', (x) => tf.logicalNot(x));
unary('Softplus', (x) => tf.softplus(x));
unary('Softsign', (x) => tf.div(x, tf.add(tf.abs(x), 1)));
unary('Identity', (x) => x);
unary('LeakyRelu', (x, ctx) => tf.leakyRelu(x, ctx.float('alpha', 0.01)));
unary('Elu', (x, ctx) => {
  const a = ctx.float('alpha', 1);
  return a === 1 ? tf.elu(x) : tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), a));
});
unary('Selu', (x, ctx) => {
  const a = ctx.float('alpha', 1.67326319217681884765625);
  const g = ctx.float('gamma', 1.05070102214813232421875);
  return tf.mul(tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), a)), g);
});
unary('HardSigmoid', (x, ctx) => tf.clipByValue(tf.add(tf.mul(x, ctx.float('alpha', 0.2)), ctx.float('beta', 0.5)), 0, 1));
unary('HardSwish', (x) => tf.mul(x, tf.clipByValue(tf.add(tf.mul(x, 1 / 6), 0.5), 0, 1)));
unary('Mish', (x) => tf.mul(x, tf.tanh(tf.softplus(x))));
unary('Gelu', (x, ctx) => {
  if (ctx.string('approximate', 'none') === 'tanh') {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  }
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
});
