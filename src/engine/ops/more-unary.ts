import * as tf from '@tensorflow/tfjs-core';
import { defineOp } from '../registry.js';

/** Less common elementwise ops (trigonometric, shrinkage, finiteness tests). */
const unary = (name: string, f: (x: tf.Tensor, a: (n: string, d: number) => number, i: (n: string, d: number) => number) => tf.Tensor) =>
  defineOp(name, ([x], ctx) => f(x!, (n, d) => ctx.float(n, d), (n, d) => ctx.int(n, d)), { layout: 'elementwise' });

unary('Tan', (x) => tf.tan(x));
unary('Asin', (x) => tf.asin(x));
unary('Acos', (x) => tf.acos(x));
unary('Atan', (x) => tf.atan(x));
unary('Sinh', (x) => tf.sinh(x));
unary('Cosh', (x) => tf.cosh(x));
unary('Asinh', (x) => tf.asinh(x));
unary('Acosh', (x) => tf.acosh(x));
unary('Atanh', (x) => tf.atanh(x));
unary('IsNaN', (x) => tf.isNaN(x));
unary('IsInf', (x, _a, i) => {
  const neg = i('detect_negative', 1) === 1;
  const pos = i('detect_positive', 1) === 1;
  if (neg && pos) return tf.isInf(x);
  if (!neg && !pos) return tf.cast(tf.zerosLike(x), 'bool');
  return tf.equal(x, pos ? Infinity : -Infinity);
});
unary('Celu', (x, a) => {
  const alpha = a('alpha', 1);
  return tf.add(tf.relu(x), tf.minimum(0, tf.mul(tf.sub(tf.exp(tf.div(x, alpha)), 1), alpha)));
});
unary('ThresholdedRelu', (x, a) => tf.where(tf.greater(x, a('alpha', 1)), x, tf.zerosLike(x)));
unary('Shrink', (x, a) => {
  const lambd = a('lambd', 0.5);
  const bias = a('bias', 0);
  return tf.where(tf.less(x, -lambd), tf.add(x, bias), tf.where(tf.greater(x, lambd), tf.sub(x, bias), tf.zerosLike(x)));
});
