/**
 * `nncf-ts plan`: a dry run. Builds the compressed model as compress/train would (data-driven steps
 * only with data), runs one forward on input_info's example inputs, drives the schedule without
 * training, and reports per algorithm what it compresses, the state over the schedule and the final
 * statistics. Nothing is trained or written.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../../api.js'; // registers the algorithms and connects their initialization services
import {
  createCompressedModel,
  exampleFeeds,
  resolveInputInfo,
  stageName,
  type ResolvedInput,
} from '../../compression/index.js';
import { LeGRInitArgs, QuantizationRangeInitArgs, type NNCFConfig } from '../../config/index.js';
import type { Dataset } from '../../data/index.js';
import type { Graph } from '../../graph/index.js';
import { controllersOf, describeAlgorithm, type AlgorithmPlan } from './algorithms.js';
import { PlanNeedsDataError, withoutDataDrivenInit } from './data-free.js';
import { driveSchedule, type ScheduleRecord } from './schedule.js';
import { exportSizes, type ExportSizes } from './sizes.js';

export interface PlanOptions {
  model?: string;
  config?: string;
  /** Init data (range init, BN adaptation), as createCompressedModel's initDataset; the CLI registers loaders itself. */
  initDataset?: Dataset;
  /** Default: the config's `epochs`, else 1. */
  epochs?: number;
  stepsPerEpoch?: number;
  /** Seed of the "random" filler. */
  seed?: number;
}

export interface Plan {
  model: string | null;
  config: string | null;
  data: boolean;
  epochs: number;
  steps_per_epoch: number;
  /** What the dry run left out or changed, one line each (also printed as warnings). */
  notes: string[];
  /** The example forward on input_info's tensors (null when data was given and the config has no input_info). */
  example_forward: {
    inputs: Pick<ResolvedInput, 'name' | 'dtype' | 'shape' | 'filler'>[];
    outputs: { name: string; shape: number[] }[];
  } | null;
  algorithms: AlgorithmPlan[];
  schedule: ScheduleRecord[];
  statistics: Record<
    string,
    {
      values: Record<string, number | string | boolean>;
      tables: { title: string; header: string[]; rows: (string | number)[][] }[];
    }
  >;
  /** The controller's compression stage at the end of the schedule. */
  stage: string;
  /** With a sparsity algorithm: file and gzip sizes of the FP32 model and of the export at the end of the schedule. */
  sizes?: ExportSizes;
}

function exampleForward(
  created: Awaited<ReturnType<typeof createCompressedModel>>,
  inputs: ResolvedInput[],
  seed: number,
): Plan['example_forward'] {
  const feeds = exampleFeeds(inputs, seed);
  try {
    const out = created.model.run(feeds);
    const outputs = created.model.graph.outputs.map((o) => ({
      name: o.name,
      shape: [...(out[o.name]?.shape ?? [])],
    }));
    tf.dispose(Object.values(out));
    return {
      inputs: inputs.map(({ name, dtype, shape, filler }) => ({ name, dtype, shape, filler })),
      outputs,
    };
  } finally {
    tf.dispose(Object.values(feeds));
  }
}

/**
 * LeGR (learned_ranking) decides which filters go by training episodes, as HAWQ decides bit widths from
 * data: a dry run cannot run them, so it needs the coefficients of an earlier run (or LeGRInitArgs
 * registered through the API).
 */
function checkLegrPlannable(config: NNCFConfig): void {
  if (config.hasExtraStruct(LeGRInitArgs)) return;
  config.algorithms.forEach((s, i) => {
    if (s.algorithm !== 'filter_pruning') return;
    const p = s.params;
    if (p.interlayer_ranking_type === 'learned_ranking' && !p.load_ranking_coeffs_path)
      throw new PlanNeedsDataError(
        `compression[${i}].params.interlayer_ranking_type "learned_ranking" chooses the pruned filters by LeGR's training episodes, which a dry run does not run: ` +
          'give params.load_ranking_coeffs_path (coefficients saved by `nncf-ts train` with save_ranking_coeffs_path) to plan it',
      );
  });
}

export async function buildPlan(graph: Graph, config: NNCFConfig, o: PlanOptions = {}): Promise<Plan> {
  const epochs =
    o.epochs ?? (typeof config.get('epochs') === 'number' ? (config.get('epochs') as number) : 1);
  const steps = o.stepsPerEpoch ?? 0;
  const hasData = o.initDataset !== undefined || config.hasExtraStruct(QuantizationRangeInitArgs);
  checkLegrPlannable(config);
  const notes: string[] = [];
  if (config.logDir !== undefined) notes.push('log_dir: a dry run writes nothing there (compress and train write their run directory)');
  let cfg = config;
  if (!hasData) {
    const free = withoutDataDrivenInit(
      config,
      graph.nodes.some((n) => n.opType === 'BatchNormalization'),
    );
    cfg = free.config;
    notes.push(...free.notes);
  }
  // Without data the shapes come from input_info (or the model); with data only a written input_info is used.
  const inputs =
    !hasData || config.inputInfo.length > 0 ? resolveInputInfo(graph, config, (l) => notes.push(l)) : null;
  const created = await createCompressedModel(graph, cfg, { initDataset: o.initDataset });
  try {
    const example = inputs ? exampleForward(created, inputs, o.seed ?? 0) : null;
    const algorithms = controllersOf(created.controller).map((c) => describeAlgorithm(c, cfg, graph));
    const schedule = await driveSchedule(created.controller, epochs, steps);
    const statistics: Plan['statistics'] = {};
    for (const c of controllersOf(created.controller)) {
      const s = c.statistics();
      statistics[c.name] = {
        values: { ...s.values },
        tables: s.tables.map((t) => ({
          title: t.title,
          header: [...t.header],
          rows: t.rows.map((r) => [...r]),
        })),
      };
    }
    return {
      model: o.model ?? null,
      config: o.config ?? null,
      data: hasData,
      epochs,
      steps_per_epoch: steps,
      notes,
      example_forward: example,
      algorithms,
      schedule,
      statistics,
      stage: stageName(created.controller.compressionStage()),
      ...(controllersOf(created.controller).some((c) => c.name.endsWith('_sparsity')) ? { sizes: exportSizes(graph, created) } : {}),
    };
  } finally {
    created.controller.dispose();
    created.model.engine.dispose();
  }
}
