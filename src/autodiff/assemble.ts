/**
 * The last step of compilation: names the outputs (`loss`, `<param>.grad`, `<stat>.updated`), turns
 * parameters and running statistics into graph inputs, and builds the training Graph.
 */
import { Graph } from '../graph/graph.js';
import type { Dim, TensorInfo } from '../graph/types.js';
import type { GradientTable } from './backward.js';
import type { TrainingGraph } from './compile.js';
import type { GraphEmitter } from './emitter.js';

export function assembleTrainingGraph(args: {
  source: Graph;
  emit: GraphEmitter;
  labels: { name: string; dtype: 'int64' | 'float32'; shape: Dim[] };
  teacher?: { name: string; shape: Dim[] };
  loss: string;
  terms: { task: string; kd?: string };
  grads: GradientTable;
  parameters: string[];
  state: string[];
  fed: string[];
  stateUpdates: Record<string, string>;
  outputs: string[];
}): TrainingGraph {
  const { source, emit, labels, teacher, loss, terms, grads, parameters, state, stateUpdates, outputs } = args;
  const opset = emit.opset;
  const dimsOf = (name: string) => [...source.initializers.get(name)!.dims];
  const initial = (name: string) => Float32Array.from(source.initializers.get(name)!.values as Float32Array);
  const usedInputs = new Set(emit.nodes.flatMap((n) => n.inputs));
  // A fed input the forward never reads (e.g. a flag only its rule consulted) is no graph input.
  const fedOuts = args.fed.filter((n) => usedInputs.has(n)).map((name) => ({ name, dims: dimsOf(name), initial: initial(name) }));
  const named = (value: string, name: string) =>
    emit.nodeOutputs('Identity', [value], {}, [emit.fresh(name)], 'outputs')[0];
  const lossOut = named(loss, 'loss');
  const termOuts = { task: named(terms.task, 'loss.task'), kd: terms.kd && named(terms.kd, 'loss.kd') };
  const paramOuts = parameters.map((name) => {
    const g = grads.total(name) ?? emit.op('ConstantOfShape', [emit.ints(dimsOf(name))], {}, 'outputs');
    return { name, dims: dimsOf(name), gradient: named(g, `${name}.grad`), initial: initial(name) };
  });
  const stateOuts = state
    .filter((name) => stateUpdates[name])
    .map((name) => ({
      name,
      dims: dimsOf(name),
      updated: named(stateUpdates[name], `${name}.updated`),
      initial: initial(name),
    }));

  const fed = new Set([...parameters, ...stateOuts.map((s) => s.name), ...fedOuts.map((f) => f.name)]);
  const dataInputs = source.inputs.filter((i) => !source.initializers.has(i.name));
  const batch = dataInputs[0]?.shape?.[0] ?? 'N';
  const info = (name: string, dims: Dim[], dtype: TensorInfo['dtype'] = 'float32'): TensorInfo => ({
    name,
    dtype,
    shape: dims,
  });
  const graph = new Graph({
    name: `${source.name}.training`,
    nodes: emit.nodes,
    inputs: [
      ...dataInputs.map((i) => ({ ...i })),
      labels.dtype === 'int64'
        ? info(labels.name, [batch], 'int64')
        : info(labels.name, [batch, ...labels.shape.slice(1)]),
      ...(teacher ? [info(teacher.name, [batch, ...teacher.shape.slice(1)])] : []),
      ...[...fed].map((n) => info(n, dimsOf(n))),
    ],
    outputs: [
      info(lossOut, []),
      info(termOuts.task, []),
      ...(termOuts.kd ? [info(termOuts.kd, [])] : []),
      ...paramOuts.map((p) => info(p.gradient, p.dims)),
      ...stateOuts.map((s) => info(s.updated, s.dims)),
      ...outputs.map((t) => ({ ...source.tensor(t)!, name: t })),
    ],
    initializers: [
      ...[...source.initializers.values()].filter((t) => !fed.has(t.name) && usedInputs.has(t.name)),
      ...emit.constants,
    ],
    opsets: new Map([...source.opsets, ['', opset]]),
  });
  return {
    graph,
    dataInputs,
    labels: labels.name,
    labelsDtype: labels.dtype,
    teacher: teacher?.name,
    loss: lossOut,
    terms: termOuts,
    parameters: paramOuts,
    state: stateOuts,
    fed: fedOuts,
    outputs,
  };
}
