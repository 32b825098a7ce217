/**
 * The `bootstrapNAS.training` section → the elastic dimensions on a model and the progressive-shrinking
 * controller that the Trainer runs (NNCF's ProgressiveShrinkingBuilder + ElasticityBuilder). The
 * `bootstrapNAS.search` section is the search's (search/params.ts), not read by training, as in NNCF.
 */
import { CompositeController, graphWithEngineWeights, type CompressedModel, type CompressionController } from '../../compression/index.js';
import type { BootstrapNasSection, KnowledgeDistillationSection, NNCFConfig } from '../../config/index.js';
import { KNOWLEDGE_DISTILLATION_DEFAULTS, KNOWLEDGE_DISTILLATION_TEMPERATURE_DEFAULT } from '../../config/defaults.js';
import { Engine } from '../../engine/index.js';
import { KnowledgeDistillationController, type KdParams } from '../distillation/index.js';
import { ElasticDepthHandler } from './elastic-depth/index.js';
import { ElasticKernelHandler } from './elastic-kernel/index.js';
import { ElasticWidthHandler } from './elastic-width/index.js';
import { ELASTICITY_DIMS, MultiElasticityHandler, type ElasticDimensions, type ElasticityDim } from './elasticity.js';
import { ProgressiveShrinkingController } from './training/progressive-shrinking.js';
import { defaultStages, DEFAULT_PROGRESSIVITY, NasScheduleError, stageFromConfig, validateStages, type StageDescriptor } from './training/stages.js';

export interface NasTrainingBuildOptions {
  /** Optimizer steps per epoch (the training data's batches). */
  stepsPerEpoch: number;
  /** Seed of the random subnets (default 0). */
  seed?: number;
  /** BatchNorm adaptation of the active subnet, for stages with `bn_adapt` (see `numBnAdaptationSamples`). */
  bnAdapt?: () => Promise<void>;
  log?: (line: string) => void;
}

export interface NasTraining {
  handler: MultiElasticityHandler;
  controller: ProgressiveShrinkingController;
  /**
   * What the Trainer drives: the progressive-shrinking controller, or with `training.compression`
   * (knowledge distillation) a composite of it and the KD controller whose teacher is the full supernet.
   */
  trainController: CompressionController;
  /** The KD controller when `training.compression` asks for knowledge distillation. */
  distillation?: KnowledgeDistillationController;
  stages: StageDescriptor[];
  /** training.batchnorm_adaptation.num_bn_adaptation_samples, for the caller's `bnAdapt`. */
  numBnAdaptationSamples: number;
}

/**
 * `bootstrapNAS.training.compression`: NNCF builds it as a compression algorithm whose loss must be
 * knowledge distillation (ProgressiveShrinkingBuilder._build_compression_loss_function); anything else is refused.
 */
export function distillationParams(compression: KnowledgeDistillationSection | readonly KnowledgeDistillationSection[] | undefined): KdParams | undefined {
  const where = 'bootstrapNAS.training.compression';
  const list = compression === undefined ? [] : Array.isArray(compression) ? compression : [compression as KnowledgeDistillationSection];
  if (list.length > 1) throw new NasScheduleError(`${where}: one knowledge_distillation entry at most, got ${list.length}`);
  const kd = list[0];
  if (!kd) return undefined;
  if (kd.algorithm !== 'knowledge_distillation')
    throw new NasScheduleError(`${where}: algorithm "${String(kd.algorithm)}" is not supported during progressive shrinking (only knowledge_distillation, as NNCF)`);
  if (kd.type !== 'mse' && kd.type !== 'softmax') throw new NasScheduleError(`${where}.type must be "mse" or "softmax", got ${JSON.stringify(kd.type)}`);
  if (kd.type === 'mse' && kd.temperature !== undefined) throw new NasScheduleError(`${where}.temperature is only used by type "softmax"`);
  const scale = kd.scale ?? KNOWLEDGE_DISTILLATION_DEFAULTS.scale;
  const temperature = kd.temperature ?? KNOWLEDGE_DISTILLATION_TEMPERATURE_DEFAULT;
  if (!(scale >= 0)) throw new NasScheduleError(`${where}.scale must be a non-negative number, got ${scale}`);
  if (!(temperature > 0)) throw new NasScheduleError(`${where}.temperature must be a positive number, got ${temperature}`);
  return { type: kd.type, scale, temperature };
}

/** NNCF's PyTorch scope form: `Module/Child[name]/op_k` (a bracketed module name, or an `op_N` call index at the end). */
const NNCF_SCOPE = /\[[^\]]+\]|\/[A-Za-z_]+_\d+$/;

/**
 * A block boundary names an ONNX node (the node whose first output is the block's input or output) or a
 * model input. NNCF writes PyTorch scopes (`ResNet/Sequential[layer1]/BasicBlock[0]/relu_0`), which an
 * ONNX file does not keep: refused, naming the key, with the ONNX nodes that scope most likely became
 * (every bracketed module name and the op name in the node name, the `_k` index picking the k-th match).
 */
function checkBlockBoundary(model: CompressedModel, name: string, where: string): void {
  const g = model.graph;
  if (g.node(name) || g.inputs.some((t) => t.name === name)) return;
  if (!NNCF_SCOPE.test(name)) throw new NasScheduleError(`${where}: "${name}" is not a node of the model (block boundaries are ONNX node names)`);
  const modules = [...name.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1].toLowerCase());
  const last = /([A-Za-z]+)_(\d+)$/.exec(name.split('/').pop() ?? '');
  const op = last?.[1].toLowerCase();
  const matches = g.nodes.filter((n) => {
    const parts = n.name.toLowerCase().split(/[/.]/);
    return modules.every((m) => parts.includes(m)) && (!op || parts.some((p) => p === op || p.startsWith(op)));
  });
  const guess = last && matches.length > Number(last[2]) ? matches[Number(last[2])] : matches.length === 1 ? matches[0] : undefined;
  throw new NasScheduleError(
    `${where}: "${name}" is an NNCF (PyTorch) scope; nncf-ts names block boundaries by ONNX node name (the node whose output starts or ends the block)` +
      (guess ? `: probably "${guess.name}"` : matches.length ? `: candidates ${matches.slice(0, 4).map((n) => `"${n.name}"`).join(', ')}` : ''),
  );
}

const dims = (list: readonly string[] | undefined, where: string, fallback: readonly ElasticityDim[]): ElasticityDim[] => {
  for (const d of list ?? []) if (!ELASTICITY_DIMS.includes(d as ElasticityDim)) throw new NasScheduleError(`${where}: "${d}" is not an elasticity dimension (${ELASTICITY_DIMS.join(', ')})`);
  return [...((list as ElasticityDim[] | undefined) ?? fallback)];
};

/**
 * The elastic dimensions of `bootstrapNAS.training.elasticity` on a model (NNCF's ElasticityBuilder),
 * without the training controller: what the search and `nas-export` need to set subnets again.
 */
export function elasticHandlerFromConfig(model: CompressedModel, config: NNCFConfig | BootstrapNasSection): MultiElasticityHandler {
  const section = ('bootstrapNAS' in config ? config.bootstrapNAS : config) as BootstrapNasSection | undefined;
  const elasticity = section?.training?.elasticity ?? {};
  const available = dims(elasticity.available_elasticity_dims, 'bootstrapNAS.training.elasticity.available_elasticity_dims', ['width', 'depth', 'kernel']);
  return buildElasticHandler(model, elasticity, available);
}

type ElasticitySection = NonNullable<NonNullable<BootstrapNasSection['training']>['elasticity']>;

function buildElasticHandler(model: CompressedModel, elasticity: ElasticitySection, available: readonly ElasticityDim[]): MultiElasticityHandler {
  const scopes = { ignored_scopes: elasticity.ignored_scopes, target_scopes: elasticity.target_scopes };
  const built: ElasticDimensions = {};
  // NNCF builds width first (depth checks block boundaries against widths), then kernel, then depth.
  if (available.includes('width')) built.width = new ElasticWidthHandler(model, { ...elasticity.width, ...scopes });
  if (available.includes('kernel')) built.kernel = new ElasticKernelHandler(model, { maxNumKernels: elasticity.kernel?.max_num_kernels, ...scopes });
  if (available.includes('depth')) {
    const d = elasticity.depth ?? {};
    for (const [i, b] of (d.skipped_blocks ?? []).entries()) {
      if (b.length !== 2) throw new NasScheduleError(`bootstrapNAS.training.elasticity.depth.skipped_blocks[${i}] must be [start node, end node], got ${b.length} names`);
      b.forEach((name, j) => checkBlockBoundary(model, name, `bootstrapNAS.training.elasticity.depth.skipped_blocks[${i}][${j}]`));
    }
    built.depth = new ElasticDepthHandler(model, {
      skippedBlocks: d.skipped_blocks?.map((b) => [b[0], b[1]] as const),
      minBlockSize: d.min_block_size,
      maxBlockSize: d.max_block_size,
      hwFusedOps: d.hw_fused_ops,
    });
  }
  return new MultiElasticityHandler(model, built);
}

export function createProgressiveShrinking(model: CompressedModel, config: NNCFConfig | BootstrapNasSection, opts: NasTrainingBuildOptions): NasTraining {
  const section = ('bootstrapNAS' in config ? config.bootstrapNAS : config) as BootstrapNasSection | undefined;
  const training = section?.training;
  if (!training) throw new NasScheduleError('bootstrapNAS.training is missing: progressive shrinking needs it');
  if ((training.algorithm ?? 'progressive_shrinking') !== 'progressive_shrinking')
    throw new NasScheduleError(`bootstrapNAS.training.algorithm "${training.algorithm}" is not built (only progressive_shrinking)`);
  const elasticity = training.elasticity ?? {};
  const available = dims(elasticity.available_elasticity_dims, 'bootstrapNAS.training.elasticity.available_elasticity_dims', ['width', 'depth', 'kernel']);
  const progressivity = dims(training.progressivity_of_elasticity, 'bootstrapNAS.training.progressivity_of_elasticity', DEFAULT_PROGRESSIVITY);
  const stages = training.schedule?.list_stage_descriptions
    ? training.schedule.list_stage_descriptions.map((s, i) => stageFromConfig({ ...s, train_dims: dims(s.train_dims, `bootstrapNAS.training.schedule.list_stage_descriptions[${i}].train_dims`, ['kernel']) }))
    : defaultStages();
  const globalBaseLr = training.lr_schedule ? (training.lr_schedule.params?.base_lr ?? 3.4e-4) : undefined;
  validateStages(stages, available, progressivity, globalBaseLr !== undefined, opts.log);

  const kdParams = distillationParams(training.compression);
  // the teacher: the full supernet as it is now (NNCF deep-copies the model when it builds the loss),
  // before any elastic command is applied
  const teacher = kdParams ? new Engine(graphWithEngineWeights(model)) : undefined;

  const handler = buildElasticHandler(model, elasticity, available);
  const controller = new ProgressiveShrinkingController({ handler, stages, stepsPerEpoch: opts.stepsPerEpoch, globalBaseLr, seed: opts.seed, bnAdapt: opts.bnAdapt, log: opts.log });
  const distillation = teacher && kdParams ? new KnowledgeDistillationController(model, teacher, kdParams) : undefined;
  const trainController = distillation ? new CompositeController([controller, distillation]) : controller;
  return { handler, controller, trainController, distillation, stages, numBnAdaptationSamples: training.batchnorm_adaptation?.num_bn_adaptation_samples ?? 2000 };
}
