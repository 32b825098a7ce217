import { Graph, type AttributeValue, type ConstTensor, type GraphNode, type TensorInfo } from '../../src/graph/index.js';

/**
 * Builds small Graphs directly for semantics/placement tests. Each node's output tensor is named
 * after the node; weights are initializers named `<node>.weight`.
 */
export class GraphBuilder {
  private nodes: GraphNode[] = [];
  private inputs: TensorInfo[] = [];
  private outputs: TensorInfo[] = [];
  private inits: ConstTensor[] = [];
  private tensors: TensorInfo[] = [];

  input(name: string, shape: NonNullable<TensorInfo['shape']> = [1, 3, 8, 8], dtype: TensorInfo['dtype'] = 'float32'): string {
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  constant(name: string, dims: number[], dtype: ConstTensor['dtype'] = 'float32'): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const values = dtype === 'int64' ? new BigInt64Array(n) : new Float32Array(n);
    this.inits.push({ name, dtype, dims, values });
    return name;
  }

  op(opType: string, name: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, outputs = [name]): string {
    this.nodes.push({ name, opType, domain: '', inputs, outputs, attributes: attrs, scope: name });
    for (const o of outputs) this.tensors.push({ name: o, dtype: 'float32', shape: null });
    return outputs[0];
  }

  conv(name: string, x: string, cin: number, cout: number, opts: { k?: number; group?: number; dims?: 1 | 2 } = {}): string {
    const k = opts.k ?? 3;
    const group = opts.group ?? 1;
    const spatial = opts.dims === 1 ? [k] : [k, k];
    const w = this.constant(`${name}.weight`, [cout, cin / group, ...spatial]);
    return this.op('Conv', name, [x, w], group === 1 ? {} : { group: { type: 'int', value: group } });
  }

  bn(name: string, x: string, c: number): string {
    const p = ['scale', 'bias', 'mean', 'var'].map((s) => this.constant(`${name}.${s}`, [c]));
    return this.op('BatchNormalization', name, [x, ...p]);
  }

  /** Clip(0, 6) — ReLU6. */
  clip(name: string, x: string): string {
    return this.op('Clip', name, [x, this.constant(`${name}.min`, []), this.constant(`${name}.max`, [])]);
  }

  /** torch Linear exported to ONNX as MatMul(x, Wᵀ) + Add(bias). */
  linear(name: string, x: string, k: number, n: number): string {
    const mm = this.op('MatMul', `${name}/MatMul`, [x, this.constant(`${name}.weight`, [k, n])]);
    return this.op('Add', `${name}/Add`, [mm, this.constant(`${name}.bias`, [n])]);
  }

  gemm(name: string, x: string, k: number, n: number): string {
    return this.op('Gemm', name, [x, this.constant(`${name}.weight`, [n, k]), this.constant(`${name}.bias`, [n])], {
      transB: { type: 'int', value: 1 },
    });
  }

  output(t: string): void {
    this.outputs.push({ name: t, dtype: 'float32', shape: null });
  }

  build(): Graph {
    return new Graph({ nodes: this.nodes, inputs: this.inputs, outputs: this.outputs, initializers: this.inits, tensors: this.tensors });
  }
}
