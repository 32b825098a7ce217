/**
 * Collects the nodes and constants of the training graph being built: fresh names that never clash
 * with the source graph's, int64/float constants (shared by value), and opset-aware helpers for the
 * few ops whose signature changed between opsets.
 */
import type { ConstTensor, GraphNode } from '../graph/types.js';
import { toAttribute, type AttrLiteral } from './attrs.js';

export class GraphEmitter {
  readonly nodes: GraphNode[] = [];
  readonly constants: ConstTensor[] = [];
  private readonly used: Set<string>;
  private readonly constCache = new Map<string, string>();

  constructor(
    readonly opset: number,
    usedNames: Iterable<string>,
  ) {
    this.used = new Set(usedNames);
  }

  /** A tensor or node name not used anywhere yet, derived from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node as given (a forward node copied over); its names must already be unique. */
  copy(node: GraphNode): void {
    this.nodes.push(node);
  }

  /** Emits a node; returns its output names (`outputs` fresh outputs, or the names given). */
  nodeOutputs(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrLiteral> = {},
    outputs: number | string[] = 1,
    base = opType,
  ): string[] {
    const name = this.fresh(`${base}/${opType}`);
    const outs = Array.isArray(outputs)
      ? outputs
      : Array.from({ length: outputs }, (_, i) => this.fresh(`${name}:${i}`));
    const attributes = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, toAttribute(v)]));
    this.nodes.push({ name, opType, domain: '', inputs, outputs: outs, attributes, scope: name });
    return outs;
  }

  /** Emits a single-output node; returns the output name. `base` prefixes names (use the forward node's name). */
  op(opType: string, inputs: string[], attrs: Record<string, AttrLiteral> = {}, base = opType): string {
    return this.nodeOutputs(opType, inputs, attrs, 1, base)[0];
  }

  /** An int64 1-D constant (shapes, axes, slice bounds). */
  ints(values: number[]): string {
    return this.constant(
      'int64',
      [values.length],
      BigInt64Array.from(values.map((v) => BigInt(v))),
      `i64:${values.join(',')}`,
    );
  }

  /** A float32 constant of the given dims. */
  floats(values: number[] | Float32Array, dims: number[]): string {
    return this.constant(
      'float32',
      dims,
      Float32Array.from(values),
      `f32:${dims.join('x')}:${Array.from(values).join(',')}`,
    );
  }

  /** A bool scalar (Dropout's training_mode). */
  bool(value: boolean): string {
    return this.constant('bool', [], Uint8Array.of(value ? 1 : 0), `bool:${value}`);
  }

  private constant(
    dtype: 'int64' | 'float32' | 'bool',
    dims: number[],
    values: BigInt64Array | Float32Array | Uint8Array,
    key: string,
  ): string {
    const have = key.length < 4096 ? this.constCache.get(key) : undefined;
    if (have) return have;
    const name = this.fresh(`const/${dtype}`);
    this.constants.push({ name, dtype, dims, values });
    if (key.length < 4096) this.constCache.set(key, name);
    return name;
  }

  /** ReduceSum over `axes` (axes are an input since opset 13). */
  reduceSum(x: string, axes: number[], keepdims: boolean, base?: string): string {
    if (this.opset >= 13)
      return this.op('ReduceSum', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 }, base);
    return this.op('ReduceSum', [x], { axes, keepdims: keepdims ? 1 : 0 }, base);
  }

  /** ReduceMean over `axes` (axes are an input since opset 18). */
  reduceMean(x: string, axes: number[], keepdims: boolean, base?: string): string {
    if (this.opset >= 18)
      return this.op('ReduceMean', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 }, base);
    return this.op('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 }, base);
  }

  reshape(x: string, shape: number[], base?: string): string {
    return this.op('Reshape', [x, this.ints(shape)], {}, base);
  }

  transpose(x: string, perm: number[], base?: string): string {
    return this.op('Transpose', [x], { perm }, base);
  }

  unsqueeze(x: string, axes: number[], base?: string): string {
    return this.op('Unsqueeze', [x, this.ints(axes)], {}, base);
  }

  /** Slice over `axes` with optional steps. */
  slice(
    x: string,
    starts: number[],
    ends: number[],
    axes: number[],
    steps?: number[],
    base?: string,
  ): string {
    const ins = [x, this.ints(starts), this.ints(ends), this.ints(axes)];
    if (steps) ins.push(this.ints(steps));
    return this.op('Slice', ins, {}, base);
  }
}
