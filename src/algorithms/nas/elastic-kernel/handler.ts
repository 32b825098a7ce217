/**
 * Elastic kernel over a model (NNCF's ElasticKernelBuilder/Handler): every 2-D convolution with a
 * square, odd kernel and symmetric explicit padding (or the ones the scopes select) gets an
 * ElasticKernelOp, run as a weight command; a subnet's kernel configuration is one size per op, in
 * graph order. Convs NNCF could not make elastic here (non-square kernels, auto_pad, asymmetric pads)
 * are listed as skipped with the reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../../compression/index.js';
import type { Random } from '../../../data/random.js';
import { scopeList, scopeOf, shouldConsiderScope, validateScopes, type Graph, type GraphNode } from '../../../graph/index.js';
import type { KernelDimension } from '../elasticity.js';
import { ElasticKernelOp } from './elastic-kernel-op.js';
import { kernelNodeForm } from './kernel-node.js';
import { ElasticKernelError } from './kernel-sizes.js';

export const ELASTIC_KERNEL_OWNER = 'elastic_kernel';

export interface ElasticKernelOptions {
  maxNumKernels?: number;
  ignored_scopes?: string | readonly string[];
  target_scopes?: string | readonly string[];
}

function ints(node: GraphNode, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a && (a.type === 'ints' || a.type === 'int') ? ([] as number[]).concat(a.value as number | number[]).map(Number) : undefined;
}

/** The conv's (kernel, padding) when it can be elastic, else the reason it cannot. */
function kernelOf(node: GraphNode, weightDims: readonly number[]): { kernel: number; padding: number } | string {
  if (weightDims.length !== 4) return 'not a 2-D convolution';
  const [kh, kw] = weightDims.slice(2);
  if (kh !== kw) return `non-square kernel ${kh}×${kw}`;
  if (kh % 2 === 0) return `even kernel ${kh}`;
  const autoPad = String(node.attributes.auto_pad?.value ?? 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return `auto_pad ${autoPad}`;
  const pads = autoPad === 'VALID' ? [0, 0, 0, 0] : (ints(node, 'pads') ?? [0, 0, 0, 0]);
  if (pads.some((p) => p !== pads[0])) return `asymmetric pads [${pads.join(', ')}]`;
  if ((ints(node, 'dilations') ?? [1, 1]).some((d) => d !== 1)) return 'dilated';
  return { kernel: kh, padding: pads[0] };
}

export class ElasticKernelHandler implements KernelDimension {
  readonly dim = 'kernel' as const;
  readonly ops: ElasticKernelOp[] = [];
  /** The conv node (graph name) and its padding, per op. */
  private readonly convs: { node: string; weight: string; padding: number }[] = [];
  readonly skipped: { node: string; reason: string }[] = [];

  constructor(
    private readonly model: CompressedModel,
    opts: ElasticKernelOptions = {},
  ) {
    const graph = model.graph;
    const filter = { ignoredScopes: scopeList(opts.ignored_scopes), targetScopes: scopeList(opts.target_scopes) };
    validateScopes(graph.nodes.map(scopeOf), filter, true, 'bootstrapNAS elasticity (kernel)');
    const weights = new Map(model.engine.weights().map((w) => [w.name, w]));
    for (const node of graph.nodes) {
      if (node.domain !== '' || node.opType !== 'Conv' || !shouldConsiderScope(scopeOf(node), filter)) continue;
      const w = weights.get(node.inputs[1]);
      if (!w) continue;
      const k = kernelOf(node, w.onnxDims);
      if (typeof k === 'string') {
        this.skipped.push({ node: scopeOf(node), reason: k });
        continue;
      }
      if (k.kernel === 1) continue;
      const op = new ElasticKernelOp(scopeOf(node), k.kernel, k.padding, opts.maxNumKernels ?? -1);
      if (op.sizes.length < 2) {
        op.dispose();
        continue;
      }
      model.apply({
        point: { kind: 'weight', name: node.inputs[1] },
        owner: ELASTIC_KERNEL_OWNER,
        layout: 'onnx',
        fn: (x) => op.filter(x),
        node: kernelNodeForm(op, ELASTIC_KERNEL_OWNER),
      });
      this.ops.push(op);
      this.convs.push({ node: node.name, weight: node.inputs[1], padding: k.padding });
    }
  }

  /** Kernel sizes each op can take (NNCF's search space). */
  searchSpace(): number[][] {
    return this.ops.map((op) => [...op.sizes]);
  }

  activeConfig(): number[] {
    return this.ops.map((op) => op.activeKernel);
  }

  activate(config: readonly number[]): void {
    if (config.length !== this.ops.length)
      throw new ElasticKernelError(`elastic kernel: the configuration has ${config.length} sizes for ${this.ops.length} elastic convolutions`);
    config.forEach((k, i) => (this.ops[i].activeKernel = k));
  }

  maximumConfig(): number[] {
    return this.ops.map((op) => op.maxKernel);
  }

  minimumConfig(): number[] {
    return this.ops.map((op) => Math.min(...op.sizes));
  }

  /** The K→k transform matrices of every op. */
  trainableVariables(): tf.Variable[] {
    return this.ops.flatMap((op) => [...op.matrices.values()]);
  }

  /** NNCF get_random_config: a size drawn uniformly from each op's list. */
  randomConfig(rng: Random): number[] {
    return this.ops.map((op) => op.sizes[rng.int(op.sizes.length)]);
  }

  activeKernels(): Map<string, number> {
    return new Map(this.convs.map((c, i) => [c.node, this.ops[i].activeKernel]));
  }

  /**
   * The subnet's convs physically smaller: each k < K filter is the transformed centre crop (the op's
   * filter, un-embedded), padded (K − k)/2 less, so the output keeps its shape.
   */
  editExportGraph(graph: Graph): void {
    this.ops.forEach((op, i) => {
      const k = op.activeKernel;
      const K = op.maxKernel;
      if (k >= K) return;
      const { node: name, weight, padding } = this.convs[i];
      const node = graph.node(name);
      const w = graph.initializers.get(weight);
      if (!node || !w) throw new ElasticKernelError(`elastic kernel export: conv "${name}" or its weight "${weight}" is not in the graph`);
      const s = (K - k) / 2;
      const values = tf.tidy(() => {
        const full = op.filter(tf.tensor(w.values as Float32Array, [...w.dims], 'float32'));
        return Float32Array.from(tf.slice(full, [0, 0, s, s], [w.dims[0], w.dims[1], k, k]).dataSync() as Float32Array);
      });
      graph.initializers.set(weight, { name: weight, dtype: 'float32', dims: [w.dims[0], w.dims[1], k, k], values });
      node.attributes = { ...node.attributes, pads: { type: 'ints', value: [0, 1, 2, 3].map(() => padding - s) } };
      if (node.attributes.auto_pad) node.attributes.auto_pad = { type: 'string', value: 'NOTSET' };
      if (node.attributes.kernel_shape) node.attributes.kernel_shape = { type: 'ints', value: [k, k] };
    });
  }

  dispose(): void {
    this.model.removeCommands(ELASTIC_KERNEL_OWNER);
    for (const op of this.ops) op.dispose();
  }
}
