/**
 * Graph → one ONNX training graph: the forward in train mode, the loss on the logits (softmax
 * cross-entropy by default, or MSE; plus NNCF's knowledge-distillation term against a fed teacher
 * output), and the backward as standard ops. Inputs: the data, `labels` (int64 [B]; float targets of
 * the logits' shape for MSE), the teacher's output (with KD), every trainable parameter and every
 * running statistic; outputs: `loss`, one gradient per parameter, the updated running statistics.
 */
import { Graph } from '../graph/graph.js';
import { materializeConstantAliases } from '../graph/transforms/index.js';
import type { Dim, GraphNode, TensorInfo } from '../graph/types.js';
import { assembleTrainingGraph } from './assemble.js';
import { differentiatedNodes, emitBackward, GradientTable, tensorsNeedingGrad } from './backward.js';
import { GraphEmitter } from './emitter.js';
import { AutodiffError, MissingGradientRuleError } from './errors.js';
import { emitDistillation, emitMeanSquaredError, emitSoftmaxCrossEntropy, type EmittedLoss, type TrainingLossSpec } from './loss.js';
import { findGradientRule, gradientRuleFor } from './registry.js';
import { initializerRoles, nodesFeeding } from './roles.js';
import './rules/index.js';

export interface CompileOptions {
  /** Overrides which float initializers are trained (default: the rules' parameter ports: weights, biases, BN γ/β). */
  trainable?: (name: string) => boolean | undefined;
  /**
   * Float initializers that become graph inputs fed at every step, without a gradient (a compression
   * node's mask or staged flag: its value changes between steps without a recompile).
   */
  fed?: (name: string) => boolean;
  /** The tensor the loss reads (default: the first graph output). */
  logits?: string;
  /** Name of the labels input (default 'labels'). */
  labels?: string;
  /** Forward tensors to return from each step as well (e.g. the logits, for accuracy metrics). */
  outputs?: string[];
  /** The loss (default: softmax cross-entropy, no distillation). */
  loss?: TrainingLossSpec;
}

export interface TrainingGraph {
  graph: Graph;
  /** Data inputs of the source model (fed as is). */
  dataInputs: TensorInfo[];
  labels: string;
  /** int64 class ids [B] (cross-entropy) or float targets of the logits' shape (MSE). */
  labelsDtype: 'int64' | 'float32';
  /** Input fed with the teacher's output of the same batch (knowledge distillation only). */
  teacher?: string;
  /** Output holding the total loss (task + distillation). */
  loss: string;
  /** Outputs holding the task loss and the distillation term (0 without KD). */
  terms: { task: string; kd?: string };
  /** Each trainable parameter (a graph input of the same name) and the output holding its gradient. */
  parameters: { name: string; dims: number[]; gradient: string; initial: Float32Array }[];
  /** Forward tensors returned with each step (CompileOptions.outputs). */
  outputs: string[];
  /** Each fed input (CompileOptions.fed; a graph input of the same name), with its value at compile time. */
  fed: { name: string; dims: number[]; initial: Float32Array }[];
  /** Each running statistic (a graph input of the same name) and the output holding its new value. */
  state: { name: string; dims: number[]; updated: string; initial: Float32Array }[];
}

/**
 * PyTorch's exporter shares equal initializers through Identity nodes (a fresh model's BN γ = 1, β = 0,
 * running mean = 0, var = 1): a BatchNormalization then reads Identity outputs, not initializers, and
 * the roles (parameter / running state) would miss them. Such a graph is compiled from a copy in which
 * each alias is an initializer of its own (as createCompressedModel gives the engine): each BN trains
 * and updates its own values, as the separate PyTorch parameters do. The caller's graph is untouched.
 */
function withOwnInitializers(g: Graph): Graph {
  const aliased = g.nodes.some((n) => n.opType === 'Identity' && n.domain === '' && g.initializers.has(n.inputs[0]));
  if (!aliased) return g;
  const copy = new Graph({
    name: g.name,
    nodes: [...g.nodes],
    inputs: g.inputs,
    outputs: g.outputs,
    initializers: g.initializers.values(),
    tensors: g.tensors.values(),
    opsets: g.opsets,
    modelInfo: g.modelInfo,
  });
  materializeConstantAliases(copy);
  return copy;
}

/**
 * Lets rules fold a sole-consumer producer into their node (GradientRule.absorbProducer): a copy of the
 * graph without the producer, or the graph itself when nothing folds. The caller's graph is untouched.
 */
function withAbsorbedProducers(g: Graph, keep: ReadonlySet<string>): Graph {
  const replaced = new Map<GraphNode, GraphNode>();
  const dropped = new Set<GraphNode>();
  for (const node of g.nodes) {
    const absorb = findGradientRule(node)?.absorbProducer;
    const producer = absorb && g.producer(node.inputs[0]);
    if (!absorb || !producer || dropped.has(producer) || replaced.has(producer) || producer.outputs.length !== 1) continue;
    const out = producer.outputs[0];
    if (keep.has(out) || g.consumers(out).length !== 1) continue;
    const fused = absorb(node, producer);
    if (!fused) continue;
    replaced.set(node, fused);
    dropped.add(producer);
  }
  if (!dropped.size) return g;
  const droppedOutputs = new Set([...dropped].flatMap((n) => n.outputs));
  return new Graph({
    name: g.name,
    nodes: g.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n),
    inputs: g.inputs,
    outputs: g.outputs,
    initializers: g.initializers.values(),
    tensors: [...g.tensors.values()].filter((t) => !droppedOutputs.has(t.name)),
    opsets: g.opsets,
    modelInfo: g.modelInfo,
  });
}

export function compileTrainingGraph(model: Graph, opts: CompileOptions = {}): TrainingGraph {
  const keep = new Set([...model.outputs.map((o) => o.name), ...(opts.outputs ?? []), ...(opts.logits ? [opts.logits] : [])]);
  const source = withAbsorbedProducers(withOwnInitializers(model), keep);
  const logits = opts.logits ?? source.outputs[0]?.name;
  if (!logits) throw new AutodiffError('the model has no output to compute a loss on');
  const shape = (t: string): Dim[] => {
    const s = source.tensor(t)?.shape;
    if (!s)
      throw new AutodiffError(
        `the shape of tensor "${t}" is unknown (run shape inference on the model first)`,
      );
    return s;
  };
  const constant = (t: string) => source.initializers.get(t);
  const lossSpec: TrainingLossSpec = opts.loss ?? { task: 'cross_entropy' };
  const logitsShape = shape(logits);
  if (lossSpec.task === 'cross_entropy' && (logitsShape.length !== 2 || typeof logitsShape[1] !== 'number'))
    throw new AutodiffError(
      `softmax cross-entropy needs logits [batch, classes] with a known class count; "${logits}" is [${logitsShape.join(', ')}]`,
    );
  for (const t of opts.outputs ?? []) shape(t); // unknown names fail here, with the tensor named
  const nodes = nodesFeeding(source, [logits, ...(opts.outputs ?? [])]);
  const lossNodes = new Set(nodesFeeding(source, [logits]));
  const { parameters, state, fed } = initializerRoles(source, nodes, opts.trainable, opts.fed);
  const isFloat = (t: string) => ['float32', 'undefined', undefined].includes(source.tensor(t)?.dtype);
  const needsGrad = tensorsNeedingGrad(nodes, parameters, isFloat);
  // Fail before emitting anything: every op between a parameter and the loss needs a rule.
  const missing = new Map<string, { opType: string; nodeName: string; hint?: string }>();
  for (const n of differentiatedNodes(nodes, needsGrad)) {
    if (!lossNodes.has(n) || findGradientRule(n) || missing.has(n.opType)) continue;
    try {
      gradientRuleFor(n);
    } catch (err) {
      if (err instanceof MissingGradientRuleError) missing.set(n.opType, err.missing[0]);
      else throw err;
    }
  }
  if (missing.size) throw new MissingGradientRuleError([...missing.values()]);

  const opset = Math.max(source.opsets.get('') ?? 17, 17);
  const used = [
    ...source.tensors.keys(),
    ...source.initializers.keys(),
    ...source.nodes.flatMap((n) => [n.name, ...n.outputs]),
  ];
  const emit = new GraphEmitter(opset, used);
  const labels = emit.fresh(opts.labels ?? 'labels');
  const saved = new Map<GraphNode, Record<string, string>>();
  const stateUpdates: Record<string, string> = {};
  for (const node of nodes) {
    const rule = findGradientRule(node);
    if (!rule?.forward) {
      emit.copy(node);
      continue;
    }
    const r = rule.forward({ emit, node, shape, constant });
    if (r.saved) saved.set(node, r.saved);
    Object.assign(stateUpdates, r.stateUpdates);
  }

  const task: EmittedLoss =
    lossSpec.task === 'mse'
      ? emitMeanSquaredError(emit, logits, labels)
      : emitSoftmaxCrossEntropy(emit, logits, labels, logitsShape[1] as number, lossSpec.labelSmoothing ?? 0);
  const grads = new GradientTable(emit);
  grads.add(logits, task.dLogits);
  let loss = task.loss;
  let teacher: string | undefined;
  let kdTerm: string | undefined;
  // As kd-loss.ts: mse needs rank >= 2, softmax exactly rank 2; otherwise the term is 0 (not emitted).
  const kd = lossSpec.kd;
  if (kd && (kd.type === 'mse' ? logitsShape.length >= 2 : logitsShape.length === 2)) {
    teacher = emit.fresh('teacher_logits');
    const term = emitDistillation(emit, logits, teacher, kd);
    grads.add(logits, term.dLogits);
    kdTerm = term.loss;
    loss = emit.op('Add', [task.loss, term.loss], {}, 'loss');
  }
  emitBackward({
    emit,
    nodes: nodes.filter((n) => lossNodes.has(n)),
    needsGrad,
    saved,
    grads,
    shape,
    constant,
  });

  return assembleTrainingGraph({
    source,
    emit,
    labels: { name: labels, dtype: lossSpec.task === 'mse' ? 'float32' : 'int64', shape: logitsShape },
    teacher: teacher === undefined ? undefined : { name: teacher, shape: logitsShape },
    loss,
    terms: { task: task.loss, kd: kdTerm },
    grads,
    parameters,
    state,
    fed,
    stateUpdates,
    outputs: opts.outputs ?? [],
  });
}
