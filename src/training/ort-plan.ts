/**
 * Which engine trains: ORT (the compiled training graph) when it can run this job exactly, else the
 * tfjs engine, with the reason in one line. ORT needs: a declared task loss (training/losses.ts
 * `taskLoss`), a node form on every insertion command, a gradient rule for every op on the loss path,
 * and (with knowledge distillation) a model with one output.
 */
import { AutodiffError, compileTrainingGraph, MissingGradientRuleError, type TrainingGraph } from '../autodiff/index.js';
import { spliceCompressionNodes, type CompressedModel, type CompressionController, type CompressionNodeInput, type InsertionCommand } from '../compression/index.js';
import type { Engine } from '../engine/index.js';
import { leafControllers } from './controllers.js';
import { TrainingConfigError } from './errors.js';
import type { TaskLoss } from './grad-step.js';
import type { DeclaredTaskLoss } from './losses.js';

export type TrainingEngineName = 'ort' | 'tfjs';

/** What the ORT trainer needs of the knowledge_distillation controller (duck-typed: training/ does not import algorithms/). */
export interface DistillationSource {
  teacher: Engine;
  params: { type: 'mse' | 'softmax'; scale: number; temperature: number };
}

export interface OrtPlan {
  compiled: TrainingGraph;
  /** The model output the loss reads. */
  output: string;
  kd?: DistillationSource;
  /** Controllers whose loss() terms are added with tfjs (every leaf but knowledge distillation). */
  lossControllers: CompressionController[];
  /** The compression nodes' inputs by graph name, read again before each step. */
  nodeInputs: ReadonlyMap<string, CompressionNodeInput>;
  /** The commands the graph was spliced from (a different list means: plan again). */
  commands: readonly InsertionCommand[];
}

export type EngineChoice = { engine: 'ort'; plan: OrtPlan } | { engine: 'tfjs'; reason?: string };

const isKd = (c: CompressionController) => c.name === 'knowledge_distillation';

function distillation(c: CompressionController): DistillationSource {
  const kd = c as unknown as Partial<DistillationSource>;
  if (!kd.teacher || !kd.params) throw new Error('knowledge_distillation controller without teacher/params');
  return { teacher: kd.teacher, params: kd.params };
}

/** Why ORT cannot train this job (undefined: it can), or the compiled plan. */
export function tryPlan(model: CompressedModel, controller: CompressionController, loss: TaskLoss): { plan?: OrtPlan; reason?: string } {
  const spec = (loss as Partial<DeclaredTaskLoss>).spec;
  if (!spec) return { reason: 'the task loss is a plain function (declare it with taskLoss(kind, output) to train on ORT)' };
  const commands = model.commands();
  const withoutNode = [...new Set(commands.filter((c) => !c.node).map((c) => c.owner))];
  if (withoutNode.length) return { reason: `insertion commands without a graph-node form (owners: ${withoutNode.join(', ')})` };
  const leaves = leafControllers(controller).map(([c]) => c);
  const kdLeaf = leaves.find(isKd);
  const spliced = commands.length ? spliceCompressionNodes(model.graph, commands) : undefined;
  const graph = spliced?.graph ?? model.graph;
  if (kdLeaf && graph.outputs.length !== 1)
    return { reason: `knowledge_distillation on a model with ${graph.outputs.length} outputs (the ORT loss distils one output)` };
  const kd = kdLeaf ? distillation(kdLeaf) : undefined;
  const trainable = new Set(model.engine.weights().filter((w) => w.trainable).map((w) => w.name));
  try {
    const compiled = compileTrainingGraph(graph, {
      trainable: (n) => spliced?.compileOptions.trainable(n) ?? trainable.has(n),
      fed: spliced?.compileOptions.fed,
      logits: spec.output,
      outputs: [spec.output],
      loss: { task: spec.kind, kd: kd?.params, labelSmoothing: spec.labelSmoothing },
    });
    return {
      plan: { compiled, output: spec.output, kd, lossControllers: leaves.filter((c) => !isKd(c)), nodeInputs: spliced?.feeds ?? new Map(), commands },
    };
  } catch (err) {
    if (err instanceof MissingGradientRuleError)
      return { reason: `no gradient rule for ${err.missing.map((m) => `${m.opType} (node "${m.nodeName}")`).join(', ')}` };
    if (err instanceof AutodiffError) return { reason: err.message };
    throw err;
  }
}

/**
 * Picks the engine. `requested` undefined: ORT when it can, else tfjs and `log` gets one line naming what
 * is missing. 'ort' that cannot be honoured throws TrainingConfigError naming the ops / commands.
 */
export function chooseTrainingEngine(
  requested: TrainingEngineName | undefined,
  model: CompressedModel,
  controller: CompressionController,
  loss: TaskLoss,
  log: (line: string) => void,
): EngineChoice {
  if (requested !== undefined && requested !== 'ort' && requested !== 'tfjs')
    throw new TrainingConfigError('engine', `must be "ort" or "tfjs", got ${JSON.stringify(requested)}`);
  if (requested === 'tfjs') return { engine: 'tfjs' };
  const { plan, reason } = tryPlan(model, controller, loss);
  if (plan) return { engine: 'ort', plan };
  if (requested === 'ort') throw new TrainingConfigError('engine', `ort cannot train this model: ${reason}`);
  log(`training on the tfjs engine: ${reason}`);
  return { engine: 'tfjs', reason };
}
