import * as tf from '@tensorflow/tfjs-core';
import type { Graph, GraphNode } from '../graph/index.js';
import type { OpContext } from './context.js';
import { conv2dGrouped, convWeightPerm, type FusedActivation } from './ops/conv.js';
import { as2d, geometry } from './ops/conv-util.js';
import { canonical, onnxShape, withPerm, type Value } from './value.js';

/**
 * Eval-mode Conv → BatchNormalization (→ Relu | Clip(0,6)) folded into one fused conv: BN in eval is a
 * per-channel affine map, so conv(x, w)·s + c = conv(x, w·s) + c exactly, weight hooks included (they
 * act on w before the fold). The engine applies a fusion only when nothing observes the intermediate
 * tensors (no hooks, not requested) and not in train mode; otherwise the nodes run one by one.
 */
export interface ConvBnFusion {
  conv: number;
  bn: number;
  act?: { index: number; kind: FusedActivation };
  /** Tensors that must stay unobserved: the conv output (and the BN output when an activation is fused). */
  hidden: string[];
  /** The tensor the fused op produces. */
  out: string;
}

export function findConvBnFusions(graph: Graph): Map<number, ConvBnFusion> {
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  const only = (tensor: string): GraphNode | undefined => {
    const c = graph.consumers(tensor);
    return c.length === 1 && !graph.outputs.some((o) => o.name === tensor) ? c[0] : undefined;
  };
  const fusions = new Map<number, ConvBnFusion>();
  graph.nodes.forEach((conv, i) => {
    if (conv.opType !== 'Conv' || conv.domain !== '' || conv.outputs.length !== 1) return;
    const bn = only(conv.outputs[0]);
    if (!bn || bn.opType !== 'BatchNormalization' || bn.inputs[0] !== conv.outputs[0]) return;
    if (!bn.inputs.slice(1, 5).every((t) => graph.isConstant(t)) || bn.outputs.slice(1).some((o) => o !== '')) return;
    const fusion: ConvBnFusion = { conv: i, bn: index.get(bn)!, hidden: [conv.outputs[0]], out: bn.outputs[0] };
    const next = only(bn.outputs[0]);
    const kind = next && activationKind(next, graph);
    if (next && kind) {
      fusion.act = { index: index.get(next)!, kind };
      fusion.hidden.push(bn.outputs[0]);
      fusion.out = next.outputs[0];
    }
    fusions.set(i, fusion);
  });
  return fusions;
}

function activationKind(node: GraphNode, graph: Graph): FusedActivation | undefined {
  if (node.domain !== '') return undefined;
  if (node.opType === 'Relu') return 'relu';
  if (node.opType !== 'Clip') return undefined;
  const bound = (i: number, attr: string) => {
    const name = node.inputs[i];
    if (name) {
      const c = graph.initializers.get(name);
      return c && c.values.length === 1 ? Number((c.values as ArrayLike<number>)[0]) : undefined;
    }
    const a = node.attributes[attr];
    return a && a.type === 'float' ? a.value : undefined;
  };
  return bound(1, 'min') === 0 && bound(2, 'max') === 6 ? 'relu6' : undefined;
}

/** The fused computation: conv with w·s and bias β + (b − μ)·s, s = γ / sqrt(σ² + ε), then the activation. */
export function runConvBn(convIns: (Value | undefined)[], bnParams: Value[], convCtx: OpContext, bnCtx: OpContext, act: FusedActivation): Value | undefined {
  const [xv, wv, bv] = convIns;
  const xs = onnxShape(xv!);
  if (xs.length !== 4) return undefined;
  const ws = onnxShape(wv!);
  const [gamma, beta, mean, variance] = bnParams.map(canonical);
  const s = tf.mul(gamma, tf.rsqrt(tf.add(variance, bnCtx.float('epsilon', 1e-5))));
  const w = tf.mul(withPerm(wv!, convWeightPerm(4)), s) as tf.Tensor4D;
  const bias = tf.add(beta, tf.mul(bv ? tf.sub(canonical(bv), mean) : tf.neg(mean), s));
  const g = as2d(geometry(convCtx, xs.slice(2), ws.slice(2)));
  const x = withPerm(xv!, [0, 2, 3, 1]) as tf.Tensor4D;
  return { t: conv2dGrouped(x, w, g, convCtx.int('group', 1), bias, act), perm: [0, 2, 3, 1] };
}

