/** The `train` command's loop: progress bars (cli-progress), validation accuracy, final tables. */
import cliProgress from 'cli-progress';
import { renderTable, stageName, type CreateResult } from '../../compression/index.js';
import type { NNCFConfig } from '../../config/index.js';
import type { Dataset } from '../../data/index.js';
import { Trainer, correctCount, evaluateOnEngine, taskLoss, type LoadedCheckpoint, type TrainingEngineName, type TrainingSettings } from '../../training/index.js';

export interface TrainLoopOptions {
  created: CreateResult;
  config: NNCFConfig;
  settings: TrainingSettings;
  train: Dataset;
  val: Dataset;
  ckpt?: LoadedCheckpoint;
  checkpointDir: string;
  every?: number;
  progress: boolean;
  log: (line: string) => void;
  /** Called after each epoch's line is logged (log_dir records the statistics). */
  onEpochEnd?: (epoch: number) => void;
  /** Training engine (undefined: ORT when it can train the job, else tfjs with a line saying why). */
  engine?: TrainingEngineName;
  /** ORT intra-op threads (default: the cores available). */
  threads?: number;
  /** Cross-entropy label smoothing ε (nas reads optimizer.label_smoothing; default 0). */
  labelSmoothing?: number;
  /** Sees each checkpoint written (tests keep one as if the run were killed there). */
  onCheckpoint?: (path: string, position: import('../../training/index.js').TrainerPosition) => void;
  /** Receives the trainer once built (the --json summary reads its engine and throughput). */
  onTrainer?: (trainer: Trainer) => void;
}

/** Top-1 accuracy in eval mode. */
export function accuracy(created: CreateResult, ds: Dataset, batchSize: number, input: string, output: string): number {
  return evaluateOnEngine(created.model, ds, batchSize, { input, output }).top1;
}

/** The CLI's trainer: cross-entropy on the first output, progress bar, one log line per epoch; `evaluate` off for the accuracy-aware loops (they validate). */
export function cliTrainer(o: TrainLoopOptions, opts: { evaluate: boolean }): { trainer: Trainer; stopBar: () => void } {
  const { created, settings } = o;
  const output = created.model.graph.outputs[0].name;
  const bar = o.progress
    ? new cliProgress.SingleBar(
        { format: 'epoch {epoch} |{bar}| {value}/{total} loss {loss} acc {acc} comp {comp} {sps} samples/s', hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let t0 = 0;
  let seen = 0;
  let correct = 0;
  let lossSum = 0;
  let compSum = 0;
  const trainer: Trainer = new Trainer({
    model: created.model,
    controller: created.controller,
    train: o.train,
    settings,
    config: o.config,
    loss: taskLoss('cross_entropy', output, { labelSmoothing: o.labelSmoothing }),
    engine: o.engine,
    threads: o.threads,
    log: o.log,
    batchMetric: (out, y) => correctCount(out[output], y!),
    evaluate: opts.evaluate ? () => accuracy(created, o.val, settings.batchSize, trainer.inputName, output) : undefined,
    checkpointDir: o.checkpointDir,
    checkpointEverySteps: o.every,
    onCheckpoint: o.onCheckpoint,
    getCompressionState: created.getCompressionState,
    onEpochStart: (epoch, batches) => {
      t0 = performance.now();
      seen = correct = lossSum = compSum = 0;
      bar?.start(batches, trainer.position.batch, { epoch, loss: '-', acc: '-', comp: '-', sps: '-' });
    },
    onBatchEnd: (e) => {
      seen += e.samples;
      correct += e.metric ?? 0;
      lossSum += e.loss * e.samples;
      compSum += e.compressionLoss * e.samples;
      const sps = (seen / ((performance.now() - t0) / 1000)).toFixed(0);
      bar?.update(e.batch + 1, { loss: (lossSum / seen).toFixed(4), acc: (correct / seen).toFixed(4), comp: (compSum / seen).toFixed(4), sps });
    },
    onEpochEnd: (r) => {
      bar?.stop();
      const val = r.evalMetric === undefined ? '' : `, val acc ${r.evalMetric.toFixed(4)}`;
      o.log(`epoch ${r.epoch}: loss ${r.loss.toFixed(4)} (task ${r.taskLoss.toFixed(4)}, compression ${r.compressionLoss.toFixed(4)}), train acc ${(r.metric ?? 0).toFixed(4)}${val}, lr ${r.lr.toPrecision(3)}, ${stageName(r.stage)}`);
      o.onEpochEnd?.(r.epoch);
    },
  });
  o.onTrainer?.(trainer);
  return { trainer, stopBar: () => bar?.stop() };
}

export async function runTraining(o: TrainLoopOptions): Promise<Trainer> {
  const { created } = o;
  const { trainer, stopBar } = cliTrainer(o, { evaluate: true });
  if (o.ckpt) {
    trainer.restore(o.ckpt);
    o.log(`resumed from ${o.ckpt.path} at epoch ${trainer.position.epoch}, batch ${trainer.position.batch}`);
  }
  try {
    await trainer.fit();
  } finally {
    stopBar();
  }
  const rows = trainer.history.map((h) => [h.epoch, h.loss, h.compressionLoss, h.metric ?? 0, h.evalMetric ?? 0, h.lr, stageName(h.stage)]);
  o.log(renderTable({ title: 'Training', header: ['epoch', 'loss', 'compression loss', 'train acc', 'val acc', 'lr', 'stage'], rows }));
  o.log(created.controller.statistics().toString());
  trainer.dispose();
  return trainer;
}
