/**
 * A gradient rule: how one op family runs in train mode and how gradients flow back through it.
 * Rules are per node, so compression nodes (fake quantizers, masks) plug in the same way as Conv.
 */
import type { ConstTensor, Dim, GraphNode } from '../graph/types.js';
import type { GraphEmitter } from './emitter.js';

export interface ForwardContext {
  emit: GraphEmitter;
  node: GraphNode;
  /** Static shape of a source-graph tensor (null dims when unknown). */
  shape(tensor: string): Dim[];
  /** The value of a constant (initializer) of the source graph, e.g. a Reduce op's axes. */
  constant(tensor: string): ConstTensor | undefined;
}

export interface ForwardResult {
  /** Intermediate tensors the backward reuses (e.g. BN's normalized input), by key. */
  saved?: Record<string, string>;
  /** New values of state inputs (BN running statistics): input tensor name → updated tensor. */
  stateUpdates?: Record<string, string>;
}

export interface BackwardContext extends ForwardContext {
  /** Gradient of each output; undefined where the output does not reach the loss. */
  dOutputs: (string | undefined)[];
  /** Which inputs need a gradient (port order). */
  needs: boolean[];
  saved: Record<string, string>;
}

export interface GradientRule {
  opTypes: readonly string[];
  /** Input ports whose float initializers are trainable parameters by default (Conv weight and bias…). */
  parameterPorts?: readonly number[];
  /** Input ports holding running state that train mode updates (BN mean and variance). */
  statePorts?: readonly number[];
  /** Emits the train-mode forward. Without it the node is copied unchanged. */
  forward?(ctx: ForwardContext): ForwardResult;
  /** Emits the backward; returns the gradient of each input that `needs` asks for. */
  backward(ctx: BackwardContext): (string | undefined)[];
  /**
   * Folds the producer of input 0 into this node where that is cheaper (e.g. a Relu into the quantizer
   * after it). Called only when this node is the producer's sole consumer and the producer's output is
   * not asked for; returns the node that replaces both (reading the producer's input), or undefined.
   */
  absorbProducer?(node: GraphNode, producer: GraphNode): GraphNode | undefined;
}
