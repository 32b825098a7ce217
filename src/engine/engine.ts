import * as tf from '@tensorflow/tfjs-core';
import type { ConstTensor, Graph, GraphNode } from '../graph/index.js';
import { alignElementwise } from './align.js';
import { constantNodeValue } from './constant-nodes.js';
import { OpContext } from './context.js';
import { EngineError, nearest } from './errors.js';
import { applyHook, HookTable, type HookHandle, type HookSpec } from './hooks.js';
import './ops/index.js';
import { getOp, type OpDef } from './registry.js';
import { WeightStore } from './weights.js';
import { TensorRefs } from './liveness.js';
import { findConvBnFusions, runConvBn, type ConvBnFusion } from './fusion.js';
import { knowsTensor, RunPlans, unknownTensor } from './plan.js';
import { canonical, plain, type Value } from './value.js';
import { checkFeed } from './feeds.js';
import { ensureGradients } from './backend.js';

export interface RunOptions {
  /** Tensor names to return (any intermediate edge); default: the graph outputs. */
  outputs?: string[];
  /** Train mode: BatchNormalization uses batch statistics and updates running stats; Dropout drops. */
  training?: boolean;
  /**
   * BatchNormalization alone in train mode (batch statistics, running stats updated) while every other
   * op — Dropout included — stays in eval mode: NNCF's BatchNorm adaptation. Implied by `training`.
   */
  bnTraining?: boolean;
  /**
   * First seed of this run's Dropout masks (default: the engine's running counter, so masks differ
   * between runs). Two runs with the same value draw the same masks — what a finite difference of
   * train-mode gradients needs; the running counter is left as it was.
   */
  dropoutSeed?: number;
}

export interface EngineOptions {
  /** Seed for Dropout masks in train mode. */
  seed?: number;
  /**
   * 'channels-last' (default): conv/pool outputs stay NHWC through layout-agnostic ops and convert only
   * at layout-sensitive ops. 'onnx': every op output is converted back to ONNX layout at once (the naive
   * scheme, kept for comparison and debugging).
   */
  layout?: 'channels-last' | 'onnx';
  /**
   * Overrides which float constants are trainable weights: true makes a constant a tf.Variable,
   * false keeps it a plain tensor, undefined keeps the default (weight ports of parameterised ops).
   */
  trainable?: (name: string) => boolean | undefined;
  /** Fold Conv → BatchNormalization (→ Relu/Clip(0,6)) into one fused conv in eval mode (default true). */
  fuse?: boolean;
}

/**
 * Runs a Graph with tfjs-core ops. Weights are tf.Variables (see trainableVariables()), so a caller
 * computes gradients with tf.variableGrads / optimizer.minimize around run(). Activations after convs stay
 * channels-last internally (see value.ts); results are returned in ONNX layout.
 */
export class Engine {
  readonly graph: Graph;
  private readonly defs: OpDef[];
  private readonly store: WeightStore;
  private readonly hooks = new HookTable();
  private readonly plans: RunPlans;
  private readonly fusions: Map<number, ConvBnFusion>;
  private readonly folded = new Set<number>();
  private readonly contexts = new Map<string, OpContext>();
  private seedCounter: number;
  private readonly eagerCanonical: boolean;
  private disposed = false;

  constructor(graph: Graph, opts: EngineOptions = {}) {
    ensureGradients();
    this.graph = graph;
    this.seedCounter = opts.seed ?? 1234;
    this.eagerCanonical = opts.layout === 'onnx';
    const constants = new Map<string, ConstTensor>(graph.initializers);
    graph.nodes.forEach((n, i) => {
      if (n.opType === 'Constant' && n.domain === '') {
        constants.set(n.outputs[0], constantNodeValue(n));
        this.folded.add(i);
      }
    });
    this.defs = graph.nodes.map((n) => getOp(n.opType, n));
    this.store = new WeightStore(graph, constants, this.defs, opts.trainable);
    this.plans = new RunPlans(graph, this.folded);
    this.fusions = opts.fuse === false || opts.layout === 'onnx' ? new Map() : findConvBnFusions(graph);
  }

  /** Trainable weights (running statistics excluded). */
  trainableVariables(): tf.Variable[] {
    return [...this.store.weights.values()].filter((w) => w.trainable).map((w) => w.variable);
  }

  /** Names of the weights (trainable and running statistics) with their ONNX shapes and storage perms. */
  weights(): { name: string; onnxDims: number[]; perm: number[] | null; trainable: boolean; variable: tf.Variable }[] {
    return [...this.store.weights.values()].map((w) => ({ ...w }));
  }

  /** A weight in ONNX layout (new tensor, caller disposes). */
  getWeight(name: string): tf.Tensor {
    return this.store.read(name);
  }

  /** Sets a weight from an ONNX-layout tensor. */
  setWeight(name: string, value: tf.Tensor): void {
    this.store.write(name, value);
  }

  /** Writes current weight values back into graph.initializers (ONNX layout), e.g. before export. */
  syncToGraph(): void {
    for (const w of this.store.weights.values()) {
      const t = this.store.read(w.name);
      const old = this.graph.initializers.get(w.name);
      const values = t.dataSync() as Float32Array;
      t.dispose();
      this.graph.initializers.set(w.name, { name: w.name, dtype: old?.dtype ?? 'float32', dims: [...w.onnxDims], values: Float32Array.from(values) });
    }
  }

  insertHook(spec: HookSpec): HookHandle {
    if ((spec.tensor === undefined) === (spec.weight === undefined))
      throw new EngineError('insertHook needs exactly one of `tensor` or `weight`');
    if (spec.weight !== undefined) this.store.weight(spec.weight);
    const name = spec.tensor ?? spec.weight!;
    if (spec.tensor !== undefined && !knowsTensor(this.graph, name)) throw unknownTensor(this.graph, name);
    if (spec.consumer !== undefined) {
      const node = this.graph.node(spec.consumer);
      if (!node) {
        const hint = nearest(spec.consumer, this.graph.nodes.map((n) => n.name));
        throw new EngineError(`no node "${spec.consumer}" in the graph${hint ? `; did you mean "${hint}"?` : ''}`);
      }
      if (!node.inputs.includes(name)) throw new EngineError(`node "${spec.consumer}" does not read "${name}"`);
      return this.hooks.add(`c:${spec.consumer}\u0000${name}`, spec);
    }
    return this.hooks.add(spec.weight !== undefined ? `w:${name}` : `t:${name}`, spec);
  }

  run(feeds: Record<string, tf.Tensor>, opts: RunOptions = {}): Record<string, tf.Tensor> {
    const res = this.execute(feeds, opts, false);
    return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.tensor]));
  }

  /**
   * Like run(), but returns tensors in the engine's layout (no transposes) with their perm:
   * stored = transpose(onnx, perm). For statistics collectors over many intermediates, e.g. the
   * channel axis of an activation is `perm ? perm.indexOf(1) : 1`.
   */
  runNative(feeds: Record<string, tf.Tensor>, opts: RunOptions = {}): Record<string, { tensor: tf.Tensor; perm: number[] | null }> {
    return this.execute(feeds, opts, true);
  }

  private execute(feeds: Record<string, tf.Tensor>, opts: RunOptions, native: boolean): Record<string, { tensor: tf.Tensor; perm: number[] | null }> {
    if (this.disposed) throw new EngineError('engine was disposed');
    const outputs = opts.outputs ?? this.graph.outputs.map((o) => o.name);
    const training = opts.training ?? false;
    const bnTraining = training || (opts.bnTraining ?? false);
    const { steps, deaths, reads } = this.plans.get(outputs);
    for (const inp of this.graph.inputs) if (!this.store.constants.has(inp.name) && !this.store.weights.has(inp.name)) checkFeed(inp, feeds[inp.name], reads);
    for (const name of Object.keys(feeds))
      if (!this.graph.inputs.some((i) => i.name === name)) {
        const hint = nearest(name, this.graph.inputs.map((i) => i.name));
        throw new EngineError(`"${name}" is not an input of the model${hint ? `; did you mean "${hint}"?` : ''}`);
      }
    const perms: Record<string, number[] | null> = {};
    const runningSeed = this.seedCounter;
    if (opts.dropoutSeed !== undefined) this.seedCounter = opts.dropoutSeed;
    const tensors = tf.tidy(() => {
      const env = new Map<string, Value>();
      const pinned = new Set<tf.Tensor>([...Object.values(feeds), ...this.store.constants.values(), ...[...this.store.weights.values()].map((w) => w.variable)]);
      const refs = new TensorRefs(pinned);
      const get = (name: string, node?: GraphNode): Value => {
        const have = env.get(name);
        if (have) return have;
        // A fed graph input wins over an initializer of the same name (ONNX: initializers are defaults).
        const v = this.readFeed(name, feeds, training) ?? this.readConstant(name, training);
        if (!v) throw new EngineError(`tensor "${name}"${node ? ` (input of node "${node.name}")` : ''} has no value`);
        env.set(name, v);
        return v;
      };
      const release = (step: number) => {
        for (const name of deaths[step]) {
          const v = env.get(name);
          if (!v) continue;
          env.delete(name);
          refs.release(v);
        }
      };
      const skipped = new Set<number>();
      const requested = new Set(outputs);
      steps.forEach((i, step) => {
        const node = this.graph.nodes[i];
        const readIns = (n: GraphNode) => n.inputs.map((t) => (t === '' ? undefined : this.applyConsumerHooks(n, t, get(t, n), training)));
        const fusion = bnTraining ? undefined : this.fusions.get(i);
        const fused = fusion && this.fusable(fusion, requested) ? this.runFused(fusion, readIns) : undefined;
        if (fusion && fused) {
          const v = this.applyTensorHooks(fusion.out, fused, training);
          env.set(fusion.out, v);
          refs.hold(v);
          skipped.add(fusion.bn);
          if (fusion.act) skipped.add(fusion.act.index);
        }
        if (fused || skipped.has(i)) return release(step);
        const ins = readIns(node);
        let outs = this.exec(i, ins, training || (bnTraining && node.opType === 'BatchNormalization'));
        if (this.eagerCanonical) outs = outs.map((v) => v && plain(canonical(v)));
        node.outputs.forEach((name, k) => {
          if (name === '' || !outs[k]) return;
          const v = this.applyTensorHooks(name, outs[k]!, training);
          env.set(name, v);
          refs.hold(v);
        });
        release(step);
      });
      const result: Record<string, tf.Tensor> = {};
      for (const name of outputs) {
        const v = get(name);
        const t = native ? v.t : canonical(v);
        // Never hand out a feed, constant or weight itself: the caller disposes results.
        result[name] = pinned.has(t) ? tf.clone(t) : t;
        perms[name] = native ? v.perm : null;
      }
      return result;
    });
    if (opts.dropoutSeed !== undefined) this.seedCounter = runningSeed;
    return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { tensor: t, perm: perms[k] }]));
  }

  dispose(): void {
    this.store.dispose();
    this.disposed = true;
  }

  /** A fusion applies when nothing observes its hidden tensors and BN is not forced into training. */
  private fusable(f: ConvBnFusion, requested: Set<string>): boolean {
    const bn = this.graph.nodes[f.bn];
    if (bn.attributes.training_mode && Number(bn.attributes.training_mode.value) === 1) return false;
    const readers = [this.graph.nodes[f.bn], ...(f.act ? [this.graph.nodes[f.act.index]] : [])];
    return f.hidden.every((t, k) => !requested.has(t) && this.hooks.get(`t:${t}`).length === 0 && this.hooks.get(`c:${readers[k].name}\u0000${t}`).length === 0);
  }

  private runFused(f: ConvBnFusion, readIns: (n: GraphNode) => (Value | undefined)[]): Value | undefined {
    const conv = this.graph.nodes[f.conv];
    const bn = this.graph.nodes[f.bn];
    // BN parameters only (its data input is the conv output being fused away).
    const bnParams = readIns({ ...bn, inputs: bn.inputs.slice(1, 5) }) as Value[];
    return runConvBn(readIns(conv), bnParams, this.context(f.conv, false), this.context(f.bn, false), f.act?.kind ?? 'linear');
  }

  private exec(i: number, ins: (Value | undefined)[], training: boolean): (Value | undefined)[] {
    const def = this.defs[i];
    const ctx = this.context(i, training);
    const arr = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
    if (def.layout === 'custom') return arr(def.runValues!(ins, ctx));
    if (def.layout === 'onnx') return arr(def.run!(ins.map((v) => v && canonical(v)), ctx)).map((t) => t && plain(t));
    const { tensors, perm } = alignElementwise(ins);
    return arr(def.run!(tensors, ctx)).map((t) => t && { t, perm: perm && t.rank === perm.length ? perm : null });
  }

  private context(i: number, training: boolean): OpContext {
    const key = `${i}:${training}`;
    let ctx = this.contexts.get(key);
    if (!ctx) {
      const node = this.graph.nodes[i];
      const opset = this.graph.opsets.get(node.domain) ?? this.graph.opsets.get('') ?? 17;
      const assign = (port: number, value: tf.Tensor) => {
        const w = this.store.weights.get(node.inputs[port]);
        if (w && !w.trainable) w.variable.assign(value);
      };
      ctx = new OpContext(node, opset, training, assign, () => this.seedCounter++, (name) => this.graph.tensor(name)?.dtype ?? this.graph.initializers.get(name)?.dtype);
      this.contexts.set(key, ctx);
    }
    return ctx;
  }

  private readConstant(name: string, training: boolean): Value | undefined {
    const w = this.store.weights.get(name);
    if (w) {
      let v: Value = { t: w.variable, perm: w.perm };
      for (const h of this.hooks.get(`w:${name}`)) v = applyHook(h, v, name, 'weight', training);
      return this.applyTensorHooks(name, v, training);
    }
    const c = this.store.constants.get(name);
    return c ? this.applyTensorHooks(name, plain(c), training) : undefined;
  }

  private readFeed(name: string, feeds: Record<string, tf.Tensor>, training: boolean): Value | undefined {
    const t = feeds[name];
    return t ? this.applyTensorHooks(name, plain(t), training) : undefined;
  }

  private applyConsumerHooks(node: GraphNode, name: string, v: Value, training: boolean): Value {
    if (this.hooks.size === 0) return v;
    const kind = this.store.weights.has(name) ? 'weight' : 'tensor';
    for (const h of this.hooks.get(`c:${node.name}\u0000${name}`)) v = applyHook(h, v, name, kind, training);
    return v;
  }

  private applyTensorHooks(name: string, v: Value, training: boolean): Value {
    for (const h of this.hooks.get(`t:${name}`)) v = applyHook(h, v, name, 'tensor', training);
    return v;
  }


}
