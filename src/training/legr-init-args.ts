/**
 * Ready-made LeGRInitArgs for classification (what NNCF's samples pass to register_default_init_args):
 * the training function runs the trainer (ORT when it can) for `steps` batches of cross-entropy on the
 * first output with the optimizer LeGR hands it; the validation function returns [top-1, mean
 * cross-entropy] in eval mode on the engine (the engine holds the episode's trained weights).
 */
import type { CompressedModel, CompressionController } from '../compression/index.js';
import { LeGRInitArgs } from '../config/index.js';
import type { Dataset } from '../data/index.js';
import { evaluateOnEngine } from './evaluate-engine.js';
import { taskLoss } from './losses.js';
import type { TrainingEngineName } from './ort-plan.js';
import type { TrainingSettings } from './settings.js';
import { Trainer } from './trainer.js';
import { TrainingConfigError } from './errors.js';

export interface LegrDataOptions {
  batchSize: number;
  /** Shuffle seed of the training samples (default 0). */
  seed?: number;
  engine?: TrainingEngineName;
  threads?: number;
  log?: (line: string) => void;
}

/** The optimizer LeGR passes (LEGR_DEFAULT_OPTIMIZER, or the user's trainOptimizer of this shape). */
interface SgdSpec {
  type?: string;
  lr: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

function sgdSettings(o: unknown): TrainingSettings['optimizer'] {
  const s = o as SgdSpec;
  if (typeof s !== 'object' || s === null || (s.type ?? 'sgd') !== 'sgd' || typeof s.lr !== 'number' || !(s.lr >= 0))
    throw new TrainingConfigError('LeGRInitArgs.trainOptimizer', `legrInitArgs trains with SGD and needs {type: 'sgd', lr, momentum?, weightDecay?, nesterov?}, got ${JSON.stringify(o)}`);
  return { type: 'sgd', baseLr: s.lr, momentum: s.momentum ?? 0, weightDecay: s.weightDecay ?? 0, nesterov: s.nesterov ?? false, dampening: 0, betas: [0.9, 0.999], eps: 1e-8 };
}

/**
 * Every episode trains on the same `steps · batchSize` samples (a seeded shuffle of `train`), so the
 * candidates' rewards differ by their ranking, not by the batches they happened to see.
 */
export function legrInitArgs(train: Dataset, val: Dataset, opts: LegrDataOptions): LeGRInitArgs<Dataset> {
  if (!train.y || !val.y) throw new TrainingConfigError('LeGRInitArgs', 'LeGR trains and validates with cross-entropy and needs labelled training and validation data');
  const shuffled = train.shuffled(opts.seed ?? 0);
  const trainFn = async (loader: Dataset, model: unknown, optimizer: unknown, controller: unknown, steps: number): Promise<void> => {
    if (steps === 0) return;
    const m = model as CompressedModel;
    const settings: TrainingSettings = {
      batchSize: opts.batchSize,
      epochs: 1,
      seed: opts.seed ?? 0,
      batchMultiplier: 1,
      optimizer: sgdSettings(optimizer),
      schedule: { kind: 'epoch', spec: { type: 'step', baseLr: sgdSettings(optimizer).baseLr, gamma: 1, stepSize: 1 } },
    };
    const data = loader === train ? shuffled.take(steps * opts.batchSize) : loader.take(steps * opts.batchSize);
    const trainer = new Trainer({
      model: m,
      controller: controller as CompressionController,
      train: data,
      settings,
      loss: taskLoss('cross_entropy', m.graph.outputs[0].name),
      engine: opts.engine,
      threads: opts.threads,
      log: opts.log ?? (() => {}),
    });
    try {
      await trainer.trainEpoch({ stepScheduler: false });
    } finally {
      trainer.dispose();
    }
  };
  const valFn = (model: unknown, loader: Dataset): readonly [number, number] => validateTop1AndLoss(model as CompressedModel, loader, opts.batchSize);
  return new LeGRInitArgs<Dataset>(train, trainFn, val, valFn, undefined, opts.log);
}

/** [top-1, mean cross-entropy] of the first output, eval mode, on the engine. */
export function validateTop1AndLoss(model: CompressedModel, ds: Dataset, batchSize: number): readonly [number, number] {
  const r = evaluateOnEngine(model, ds, batchSize, { withLoss: true });
  return [r.top1, r.loss!];
}
