/**
 * The knowledge-distillation teacher as an ONNX Runtime inference session: the model graph with the
 * teacher engine's weights (the original ones, frozen), run in eval mode on each batch; its output is
 * fed to the training graph's `teacher_logits` input.
 */
import type { NdArray } from '../data/index.js';
import type { Engine } from '../engine/index.js';
import { Graph } from '../graph/index.js';
import { OrtSession } from '../runtime/index.js';

export class OrtTeacher {
  private constructor(
    private readonly session: OrtSession,
    private readonly input: string,
    private readonly output: string,
  ) {}

  static async create(teacher: Engine, input: string, output: string, threads: number): Promise<OrtTeacher> {
    const g = teacher.graph;
    const initializers = new Map(g.initializers);
    for (const w of teacher.weights()) {
      const t = teacher.getWeight(w.name);
      initializers.set(w.name, { name: w.name, dtype: 'float32', dims: [...w.onnxDims], values: Float32Array.from(t.dataSync() as Float32Array) });
      t.dispose();
    }
    const graph = new Graph({
      name: `${g.name}.teacher`,
      nodes: [...g.nodes],
      inputs: g.inputs,
      outputs: g.outputs,
      initializers: initializers.values(),
      tensors: g.tensors.values(),
      opsets: g.opsets,
      modelInfo: g.modelInfo,
    });
    const session = await OrtSession.fromGraph(graph, { intraOpThreads: threads, interOpThreads: 1 });
    return new OrtTeacher(session, input, output);
  }

  async run(x: NdArray<'float32'>): Promise<{ data: Float32Array; shape: number[] }> {
    const out = await this.session.run({ [this.input]: x }, [this.output]);
    return { data: out[this.output].data as Float32Array, shape: out[this.output].shape };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
