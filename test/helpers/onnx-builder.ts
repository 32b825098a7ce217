/**
 * A tiny fluent builder of ONNX models for tests: declare inputs, weights and nodes; get a Graph and
 * the .onnx bytes (through our own exporter), with no downloaded files.
 *
 *   const b = new OnnxBuilder({ opset: 17, seed: 1 });
 *   const x = b.input('x', [1, 3, 8, 8]);
 *   const y = b.node('Conv', [x, b.randomWeight('w', [4, 3, 3, 3])], { pads: [1, 1, 1, 1] });
 *   b.output(b.node('Relu', [y]));
 *   const bytes = b.toBytes();
 */
import { Graph } from '../../src/graph/graph.js';
import type { AttributeValue, ConstTensor, Dim, DType, GraphNode, TensorInfo, TensorValues } from '../../src/graph/types.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { inferShapes } from '../../src/graph/shape-inference/index.js';

/** Attributes ONNX defines as floats even when the number is integral (e.g. Gemm alpha=1). */
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'gamma', 'momentum', 'ratio', 'bias', 'lambd', 'min', 'max', 'value_float', 'scale', 'spatial_scale']);

export type AttrInput = number | bigint | string | number[] | string[] | ConstTensor | AttributeValue;

/** Mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function toAttribute(name: string, v: AttrInput): AttributeValue {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'type' in v && 'value' in v) return v as AttributeValue;
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'dims' in v) return { type: 'tensor', value: v as ConstTensor };
  if (typeof v === 'bigint') return { type: 'int', value: v };
  if (typeof v === 'number') return FLOAT_ATTRS.has(name) || !Number.isInteger(v) ? { type: 'float', value: v } : { type: 'int', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (v.length > 0 && typeof v[0] === 'string') return { type: 'strings', value: v as string[] };
  const nums = v as number[];
  return FLOAT_ATTRS.has(name) || nums.some((x) => !Number.isInteger(x)) ? { type: 'floats', value: nums } : { type: 'ints', value: nums };
}

export function constTensor(name: string, dtype: DType, dims: number[], values: TensorValues | number[]): ConstTensor {
  const typed = Array.isArray(values) && typeof values[0] !== 'string' ? typedFrom(dtype, values as number[]) : (values as TensorValues);
  return { name, dtype, dims, values: typed };
}

function typedFrom(dtype: DType, v: number[]): TensorValues {
  switch (dtype) {
    case 'float64': return Float64Array.from(v);
    case 'int64': return BigInt64Array.from(v.map((x) => BigInt(x)));
    case 'uint64': return BigUint64Array.from(v.map((x) => BigInt(x)));
    case 'int32': return Int32Array.from(v);
    case 'uint32': return Uint32Array.from(v);
    case 'int16': return Int16Array.from(v);
    case 'uint16': return Uint16Array.from(v);
    case 'int8': case 'int4': return Int8Array.from(v);
    case 'uint8': case 'uint4': case 'bool': return Uint8Array.from(v);
    default: return Float32Array.from(v);
  }
}

export interface BuilderOptions {
  opset?: number;
  seed?: number;
  name?: string;
  /** Extra opset imports, e.g. { 'com.microsoft': 1 }. */
  extraOpsets?: Record<string, number>;
}

export class OnnxBuilder {
  readonly nodes: GraphNode[] = [];
  readonly inputs: TensorInfo[] = [];
  readonly outputs: TensorInfo[] = [];
  readonly initializers: ConstTensor[] = [];
  readonly random: () => number;
  private counter = 0;
  private readonly opset: number;

  constructor(private readonly opts: BuilderOptions = {}) {
    this.opset = opts.opset ?? 17;
    this.random = seededRandom(opts.seed ?? 1);
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  input(name: string, shape: Dim[], dtype: DType = 'float32'): string {
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  /** Marks a tensor as graph output (shape optional: unknown shapes are written without dims). */
  output(name: string, shape: Dim[] | null = null, dtype: DType = 'float32'): string {
    this.outputs.push({ name, dtype, shape });
    return name;
  }

  initializer(name: string, dtype: DType, dims: number[], values: TensorValues | number[]): string {
    this.initializers.push(constTensor(name, dtype, dims, values));
    return name;
  }

  /** Seeded uniform weights in ±scale (default: Kaiming-like 1/sqrt(fan_in)). */
  randomWeight(name: string, dims: number[], scale?: number): string {
    const fanIn = dims.length > 1 ? dims.slice(1).reduce((a, b) => a * b, 1) : dims[0];
    const s = scale ?? 1 / Math.sqrt(fanIn);
    const n = dims.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = (this.random() * 2 - 1) * s;
    return this.initializer(name, 'float32', dims, v);
  }

  /** Seeded uniform values in [lo, hi). */
  uniform(name: string, dims: number[], lo: number, hi: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = lo + this.random() * (hi - lo);
    return this.initializer(name, 'float32', dims, v);
  }

  /** An int64 1-D constant (shapes, axes, pads as inputs). */
  ints(name: string, values: number[]): string {
    return this.initializer(name, 'int64', [values.length], values);
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): string {
    return this.initializer(name, 'float32', [], [value]);
  }

  /** Adds a node; returns its first output (all outputs via `nodeOutputs`). */
  node(opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}, opts: { name?: string; outputs?: number | string[]; domain?: string } = {}): string {
    return this.nodeOutputs(opType, inputs, attrs, opts)[0];
  }

  nodeOutputs(opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}, opts: { name?: string; outputs?: number | string[]; domain?: string } = {}): string[] {
    const name = opts.name ?? this.fresh(opType);
    const outputs = Array.isArray(opts.outputs) ? opts.outputs : Array.from({ length: opts.outputs ?? 1 }, (_, i) => (i === 0 ? `${name}_out` : `${name}_out${i}`));
    const attributes: Record<string, AttributeValue> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = toAttribute(k, v);
    this.nodes.push({ name, opType, domain: opts.domain ?? '', inputs, outputs, attributes, scope: name });
    return outputs;
  }

  /** The model as a Graph, with shapes inferred for every edge. */
  toGraph(): Graph {
    const graph = this.rawGraph();
    inferShapes(graph);
    return graph;
  }

  private rawGraph(): Graph {
    const opsets = new Map<string, number>([['', this.opset], ...Object.entries(this.opts.extraOpsets ?? {})]);
    return new Graph({
      name: this.opts.name ?? 'model',
      nodes: this.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: { ...n.attributes } })),
      inputs: this.inputs.map((t) => ({ ...t })),
      outputs: this.outputs.map((t) => ({ ...t })),
      initializers: this.initializers.map((t) => ({ ...t })),
      opsets,
    });
  }

  toBytes(): Uint8Array {
    return exportOnnx(this.rawGraph());
  }
}
