/**
 * The Fashion-MNIST reference CNN as an ONNX-semantics Graph with seeded initial weights.
 *
 *   input N×1×28×28
 *   stem        Conv3×3 1→c1, BN, ReLU                      28×28
 *   layer1      basic block: Conv3×3-BN-ReLU-Conv3×3-BN, Add(identity), ReLU
 *   down        Conv3×3 stride 2 c1→c2, BN, ReLU           14×14
 *   dw          depthwise Conv3×3 (group c2), BN, ReLU
 *   pw          pointwise Conv1×1 c2→c3, BN, ReLU
 *   pool        MaxPool 2×2                                  7×7
 *   head        Conv3×3 c3→c3, BN, ReLU
 *   GlobalAveragePool, Flatten, Gemm c3→10 → logits
 *
 * Every quantizer-placement pattern of NNCF appears: conv-BN-ReLU, conv-BN feeding an Add, Add-ReLU,
 * strided conv, depthwise conv, 1×1 conv, MaxPool, GlobalAveragePool, Gemm.
 * Convs have no bias (BN follows). Weights: Kaiming-normal (fan_in, ReLU gain) from a seeded Random;
 * BN scale 1, bias 0, running mean 0, running var 1; Gemm uniform ±1/sqrt(fan_in), bias 0.
 */
import { Random } from '../../src/data/index.js';
import { Graph, type AttributeValue, type ConstTensor, type GraphNode } from '../../src/graph/index.js';
import { inferShapes } from '../../src/graph/shape-inference/index.js';

export interface FashionCnnOptions {
  seed: number;
  /** Channels of stem/layer1, down/dw, pw/head. */
  widths?: [number, number, number];
  classes?: number;
  /** ONNX BatchNormalization momentum (running = running·m + batch·(1−m)). */
  bnMomentum?: number;
}

export const INPUT_NAME = 'input';
export const OUTPUT_NAME = 'logits';

const ints = (value: number[]): AttributeValue => ({ type: 'ints', value });
const int = (value: number): AttributeValue => ({ type: 'int', value });
const float = (value: number): AttributeValue => ({ type: 'float', value });

class CnnBuilder {
  readonly nodes: GraphNode[] = [];
  readonly initializers: ConstTensor[] = [];
  private readonly rng: Random;

  constructor(seed: number, private readonly bnMomentum: number) {
    this.rng = new Random(seed);
  }

  private init(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push({ name, dtype: 'float32', dims, values });
    return name;
  }

  private filled(name: string, dims: number[], v: number): string {
    return this.init(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(v));
  }

  /** Kaiming-normal with std sqrt(2 / fan_in). */
  private kaiming(name: string, dims: number[], fanIn: number): string {
    const std = Math.sqrt(2 / fanIn);
    const v = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < v.length; i++) v[i] = this.rng.normal() * std;
    return this.init(name, dims, v);
  }

  node(opType: string, name: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output = `${name}_out`): string {
    this.nodes.push({ name, opType, domain: '', inputs, outputs: [output], attributes, scope: name });
    return output;
  }

  /** Conv (no bias) + BatchNormalization (+ ReLU). */
  convBn(x: string, name: string, cin: number, cout: number, k: number, opts: { stride?: number; group?: number; relu?: boolean } = {}): string {
    const stride = opts.stride ?? 1;
    const group = opts.group ?? 1;
    const pad = Math.floor(k / 2);
    const w = this.kaiming(`${name}.weight`, [cout, cin / group, k, k], (cin / group) * k * k);
    let y = this.node('Conv', `${name}/Conv`, [x, w], {
      kernel_shape: ints([k, k]), strides: ints([stride, stride]), pads: ints([pad, pad, pad, pad]), dilations: ints([1, 1]), group: int(group),
    });
    y = this.node('BatchNormalization', `${name}/BatchNormalization`, [y,
      this.filled(`${name}.bn.weight`, [cout], 1), this.filled(`${name}.bn.bias`, [cout], 0),
      this.filled(`${name}.bn.running_mean`, [cout], 0), this.filled(`${name}.bn.running_var`, [cout], 1),
    ], { epsilon: float(1e-5), momentum: float(this.bnMomentum) });
    return opts.relu === false ? y : this.node('Relu', `${name}/Relu`, [y]);
  }

  gemm(x: string, name: string, cin: number, cout: number, output: string): string {
    const bound = 1 / Math.sqrt(cin);
    const w = new Float32Array(cout * cin);
    for (let i = 0; i < w.length; i++) w[i] = (this.rng.float() * 2 - 1) * bound;
    this.init(`${name}.weight`, [cout, cin], w);
    this.filled(`${name}.bias`, [cout], 0);
    return this.node('Gemm', `${name}/Gemm`, [x, `${name}.weight`, `${name}.bias`], { alpha: float(1), beta: float(1), transB: int(1) }, output);
  }
}

/** The reference CNN as a Graph (batch dimension symbolic 'N'), shapes inferred. */
export function buildFashionCnn(opts: FashionCnnOptions): Graph {
  const [c1, c2, c3] = opts.widths ?? [16, 32, 144];
  const classes = opts.classes ?? 10;
  const b = new CnnBuilder(opts.seed, opts.bnMomentum ?? 0.9);
  let y = b.convBn(INPUT_NAME, 'stem', 1, c1, 3);
  const r = b.convBn(b.convBn(y, 'layer1.conv1', c1, c1, 3), 'layer1.conv2', c1, c1, 3, { relu: false });
  y = b.node('Relu', 'layer1/Relu', [b.node('Add', 'layer1/Add', [r, y])]);
  y = b.convBn(y, 'down', c1, c2, 3, { stride: 2 });
  y = b.convBn(y, 'dw', c2, c2, 3, { group: c2 });
  y = b.convBn(y, 'pw', c2, c3, 1);
  y = b.node('MaxPool', 'pool/MaxPool', [y], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
  y = b.convBn(y, 'head', c3, c3, 3);
  y = b.node('GlobalAveragePool', 'gap/GlobalAveragePool', [y]);
  y = b.node('Flatten', 'gap/Flatten', [y], { axis: int(1) });
  b.gemm(y, 'fc', c3, classes, OUTPUT_NAME);
  const graph = new Graph({
    name: 'fashion_mnist_cnn',
    nodes: b.nodes,
    inputs: [{ name: INPUT_NAME, dtype: 'float32', shape: ['N', 1, 28, 28] }],
    outputs: [{ name: OUTPUT_NAME, dtype: 'float32', shape: ['N', classes] }],
    initializers: b.initializers,
    opsets: new Map([['', 13]]),
  });
  inferShapes(graph);
  return graph;
}

/** Number of trainable parameters (BN running statistics excluded). */
export function countParameters(graph: Graph): number {
  let n = 0;
  for (const t of graph.initializers.values()) if (!/running_(mean|var)$/.test(t.name)) n += t.dims.reduce((a, b) => a * b, 1);
  return n;
}
