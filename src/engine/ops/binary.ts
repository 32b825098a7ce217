import * as tf from '@tensorflow/tfjs-core';
import type { Graph, GraphNode } from '../../graph/index.js';
import { defineOp } from '../registry.js';

/** Broadcasting binary ops. Mixed int/float inputs (shape arithmetic) follow the first input's dtype. */
type Binary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

const sameType = (a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] =>
  a.dtype === b.dtype ? [a, b] : [a, tf.cast(b, a.dtype)];

/**
 * Constant operands that are learned parameters in exported models, made trainable weights:
 * the bias Add after MatMul/Gemm/Conv, and LayerNorm decomposed by opset < 17 exporters
 * (Div → Mul(gamma) → Add(beta)). Other constants (input normalisation, eps) stay fixed.
 */
function paramPorts(producers: (node: GraphNode, graph: Graph) => string[]) {
  return (node: GraphNode, graph: Graph): number[] => {
    const ports: number[] = [];
    node.inputs.forEach((name, port) => {
      const other = node.inputs[1 - port];
      const p = other ? graph.producer(other) : undefined;
      if (graph.isConstant(name) && p && producers(p, graph).includes(p.opType)) ports.push(port);
    });
    return ports;
  };
}

const isLayerNormScale = (mul: GraphNode, graph: Graph) =>
  mul.inputs.some((i) => graph.isConstant(i)) && mul.inputs.some((i) => graph.producer(i)?.opType === 'Div');
const biasPorts = paramPorts((p, g) => ['MatMul', 'Gemm', 'Conv', 'ConvTranspose', ...(p.opType === 'Mul' && isLayerNormScale(p, g) ? ['Mul'] : [])]);
const scalePorts = paramPorts(() => ['Div']);

const binary = (name: string, f: Binary, extra = {}) =>
  defineOp(name, ([a, b]) => f(...sameType(a!, b!)), { layout: 'elementwise', ...extra });

binary('Add', (a, b) => tf.add(a, b), { weightPorts: biasPorts });
binary('Sub', (a, b) => tf.sub(a, b));
binary('Mul', (a, b) => tf.mul(a, b), { weightPorts: scalePorts });
// ONNX integer Div truncates toward zero (C semantics); tfjs would floor.
binary('Div', (a, b) => (a.dtype === 'int32' ? truncDiv(a, b) : tf.div(a, b)));
defineOp('Mod', ([a, b], ctx) => {
  const [x, y] = sameType(a!, b!);
  if (ctx.int('fmod', 0) !== 1) return tf.mod(x, y);
  // fmod: the remainder takes the sign of the dividend (C fmod).
  const xf = tf.cast(x, 'float32');
  const yf = tf.cast(y, 'float32');
  const q = tf.div(xf, yf);
  const r = tf.sub(xf, tf.mul(tf.where(tf.less(q, 0), tf.ceil(q), tf.floor(q)), yf));
  return x.dtype === 'int32' ? tf.cast(tf.round(r), 'int32') : r;
}, { layout: 'elementwise' });
binary('Equal', (a, b) => tf.equal(a, b));
binary('Less', (a, b) => tf.less(a, b));
binary('LessOrEqual', (a, b) => tf.lessEqual(a, b));
binary('Greater', (a, b) => tf.greater(a, b));
binary('GreaterOrEqual', (a, b) => tf.greaterEqual(a, b));
binary('And', (a, b) => tf.logicalAnd(a, b));
binary('Or', (a, b) => tf.logicalOr(a, b));
binary('Xor', (a, b) => tf.logicalXor(a, b));
binary('PRelu', (x, slope) => tf.where(tf.less(x, 0), tf.mul(x, slope), x), { weightPorts: () => [1] });
defineOp('Pow', ([a, b]) => (b!.dtype === a!.dtype ? tf.pow(a!, b!) : tf.pow(a!, tf.cast(b!, a!.dtype))), { layout: 'elementwise' });

function truncDiv(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const q = tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32'));
  return tf.cast(tf.where(tf.less(q, 0), tf.ceil(q), tf.floor(q)), 'int32');
}

/** Variadic elementwise ops (Min, Max, Sum, Mean) fold left with broadcasting. */
const variadic = (name: string, f: Binary, post?: (t: tf.Tensor, n: number) => tf.Tensor) =>
  defineOp(
    name,
    (xs) => {
      const ts = xs.filter((x): x is tf.Tensor => !!x);
      const r = ts.slice(1).reduce((acc, t) => f(...sameType(acc, t)), ts[0]);
      return post ? post(r, ts.length) : r;
    },
    { layout: 'elementwise' },
  );

variadic('Min', (a, b) => tf.minimum(a, b));
variadic('Max', (a, b) => tf.maximum(a, b));
variadic('Sum', (a, b) => tf.add(a, b));
variadic('Mean', (a, b) => tf.add(a, b), (t, n) => tf.div(t, n));

defineOp(
  'Where',
  ([c, a, b]) => {
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(tf.broadcast_util.assertAndGetBroadcastShape(c!.shape, a!.shape), b!.shape);
    const [x, y] = sameType(a!, b!);
    return tf.where(tf.broadcastTo(c!, shape), tf.broadcastTo(x, shape), tf.broadcastTo(y, shape));
  },
  { layout: 'elementwise' },
);
