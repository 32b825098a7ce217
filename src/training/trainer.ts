/**
 * The trainer: NNCF's sample training loop over a CompressedModel and its controller.
 * Per epoch: `controller.scheduler.epochStep()` (then any staged range init settles), LR for the epoch;
 * per batch: `controller.scheduler.step()`, forward in train mode, task loss + `controller.loss()`,
 * backward, gradient accumulation over `batchMultiplier` batches, optimizer step. After the epoch:
 * evaluation callback, LR schedule step, checkpoint (last + best by NNCF's accuracy/compression-stage rule).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel, CompressionController, CompressionState } from '../compression/index.js';
import type { NNCFConfig } from '../config/index.js';
import type { Batch, Dataset, NdArray } from '../data/index.js';
import { GradAccumulator, type BatchMetric, type StepResult, type TaskLoss } from './grad-step.js';
import { lrForEpoch, PlateauSchedule, scheduleLr } from './lr-schedules.js';
import { Adam, Sgd, type Optimizer } from './optimizers/index.js';
import type { TrainingSettings } from './settings.js';
import { StagedLrPolicy } from './staged-lr-policy.js';
import { paramGroupsFor, variableNames } from './param-groups.js';
import type { ParamGroups } from './optimizers/index.js';
import type { EpochRecord, TrainerPosition } from './trainer-state.js';
import { TrainingConfigError } from './errors.js';
import { hostSyncOf, leafControllers, settle } from './controllers.js';
import { restoreTrainer, saveTrainerCheckpoint, type LoadedCheckpoint } from './checkpoint.js';
import { availableParallelism } from 'node:os';
import { compressionLossGradients } from './compression-loss.js';
import { OrtTrainingEngine, type OrtStepTiming } from './ort-engine.js';
import { chooseTrainingEngine, type EngineChoice, type TrainingEngineName } from './ort-plan.js';

export interface BatchEvent extends StepResult {
  epoch: number;
  batch: number;
  batches: number;
  samples: number;
  lr: number;
}

export interface TrainerOptions {
  model: CompressedModel;
  controller: CompressionController;
  train: Dataset;
  settings: TrainingSettings;
  loss: TaskLoss;
  /** The config the model was compressed with (kept for callers; compression_lr_multiplier lives in the algorithms' gradient rules). */
  config?: NNCFConfig;
  /** Model input fed with the batch's x (default: the first graph input). */
  inputName?: string;
  /** Per-batch metric from the outputs (e.g. correct predictions), summed per epoch. */
  batchMetric?: BatchMetric;
  /** Per-epoch evaluation (higher is better) used for best-checkpoint keeping and the plateau schedule. */
  evaluate?: (epoch: number) => number | Promise<number>;
  checkpointDir?: string;
  /** Also save every N optimizer steps (mid-epoch); 0/undefined: only at epoch ends. */
  checkpointEverySteps?: number;
  getCompressionState?: () => CompressionState;
  onBatchEnd?: (e: BatchEvent) => void;
  onEpochStart?: (epoch: number, batches: number) => void;
  onEpochEnd?: (r: EpochRecord) => void;
  onCheckpoint?: (path: string, position: TrainerPosition) => void;
  /**
   * 'ort': the compiled training graph on ONNX Runtime (an error naming what is missing when it cannot
   * run this job); 'tfjs': the engine. Default: ORT when the loss is declared (`taskLoss`), every op on
   * the loss path has a gradient rule and every insertion command a node form; else tfjs, with one
   * `log` line naming what is missing.
   */
  engine?: TrainingEngineName;
  /** ORT intra-op threads (default: the cores available). */
  threads?: number;
  /** Where the engine-choice line goes (default: stderr). */
  log?: (line: string) => void;
  /**
   * How the ORT trainer keeps the parameters: 'host' (default: Float32Arrays between sync points) or
   * 'per-step' (read from and written to the variables at every step; the reference the host mode is
   * tested against).
   */
  ortSync?: 'host' | 'per-step';
}

export class Trainer {
  optimizer: Optimizer;
  readonly variables: tf.Variable[];
  readonly stagedLr?: StagedLrPolicy;
  plateau?: PlateauSchedule;
  /** Accuracy-aware loops: LR multiplier of the search, and the epoch the LR schedule restarted at (resetOptimizer). */
  private lrScale = 1;
  private lrRestart?: number;
  position: TrainerPosition = { epoch: 0, batch: 0, globalStep: 0 };
  best = { metric: -Infinity, stage: 0 };
  history: EpochRecord[] = [];
  private readonly acc: GradAccumulator;
  readonly inputName: string;
  /** The engine that trains (see TrainerOptions.engine); may turn to tfjs when new commands lack node forms. */
  engine: TrainingEngineName;
  /** Images trained and seconds spent in the batch loops (no model loading, evaluation or checkpoints). */
  readonly throughput = { samples: 0, seconds: 0 };
  private choice: EngineChoice;
  /** optimizer.parameter_groups resolved per variable (undefined: one group). */
  private readonly groups?: ParamGroups;
  private ort?: OrtTrainingEngine;

  constructor(readonly o: TrainerOptions) {
    const s = o.settings;
    const weights = o.model.trainableVariables();
    const seen = new Set(weights);
    this.variables = [...weights];
    // compression_lr_multiplier is not applied here: as NNCF's CompressionParameter, each algorithm's
    // gradient rule already scales its parameters' gradients (a second scaling here gave m², issue 10).
    for (const [ctrl] of leafControllers(o.controller)) {
      for (const v of ctrl.compressionVariables()) {
        if (seen.has(v)) continue;
        seen.add(v);
        this.variables.push(v);
      }
    }
    this.groups = paramGroupsFor(s.optimizer, s.optimizer.groups ? variableNames(o.model, this.variables) : []);
    this.optimizer = this.newOptimizer();
    if (s.schedule.kind === 'staged') this.stagedLr = new StagedLrPolicy(s.schedule.params);
    else if (s.schedule.spec.type === 'plateau') this.plateau = new PlateauSchedule(s.schedule.spec);
    this.acc = new GradAccumulator(this.variables);
    const inputs = o.model.graph.inputs.filter((i) => !o.model.graph.initializers.has(i.name));
    this.inputName = o.inputName ?? inputs[0]?.name;
    if (!inputs.some((i) => i.name === this.inputName))
      throw new TrainingConfigError('inputName', `"${this.inputName}" is not an input of the model (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads > 0))
      throw new TrainingConfigError('threads', `must be a positive integer, got ${o.threads}`);
    this.choice = chooseTrainingEngine(o.engine, o.model, o.controller, o.loss, o.log ?? ((l) => process.stderr.write(`${l}\n`)));
    this.engine = this.choice.engine;
  }

  /** The ORT step's time split (ORT run vs feeds, gradients and statistics in JS) of the latest session. */
  ortTiming?: OrtStepTiming;

  /**
   * How the open ORT session keeps the parameters: 'host' (Float32Arrays between sync points) or
   * 'per-step' (read from and written to the variables at every step, `reason` says why); undefined
   * when no ORT session is open.
   */
  get ortParameters(): { mode: 'host' | 'per-step'; reason?: string } | undefined {
    if (!this.ort) return undefined;
    return this.ort.host ? { mode: 'host' } : { mode: 'per-step', reason: this.ort.perStepReason };
  }

  private newOptimizer(): Optimizer {
    const opt = this.o.settings.optimizer;
    return opt.type === 'sgd'
      ? new Sgd(this.variables, { lr: opt.baseLr, momentum: opt.momentum, dampening: opt.dampening, nesterov: opt.nesterov, weightDecay: opt.weightDecay, groups: this.groups })
      : new Adam(this.variables, { lr: opt.baseLr, betas: opt.betas, eps: opt.eps, weightDecay: opt.weightDecay, groups: this.groups });
  }

  /**
   * NNCF's reset_training for the accuracy-aware loops: a new optimizer (no moments), the LR schedule
   * restarted at this epoch, every LR multiplied by `lrScale`.
   */
  resetOptimizer(lrScale: number): void {
    this.optimizer.dispose();
    this.optimizer = this.newOptimizer();
    this.lrScale = lrScale;
    this.lrRestart = this.position.epoch;
    const s = this.o.settings.schedule;
    if (this.plateau && s.kind !== 'staged') this.plateau = new PlateauSchedule({ ...s.spec, baseLr: s.spec.baseLr * lrScale });
  }

  /** Accuracy-aware loops: the plateau schedule steps with the best metric of the current rate (NNCF's runner). */
  stepPlateau(bestMetric: number): void {
    this.plateau?.step(bestMetric);
  }

  /**
   * One epoch at the current position, returning its record; `stepScheduler: false` when the caller has
   * called `scheduler.epochStep()` itself (NNCF's accuracy-aware runner does).
   */
  async trainEpoch(opts: { stepScheduler?: boolean } = {}): Promise<EpochRecord> {
    await this.runEpoch(this.position.epoch, opts.stepScheduler ?? true);
    return this.history[this.history.length - 1];
  }

  /** Restores weights, optimizer, schedules and position from a checkpoint read with readTrainingCheckpoint. */
  restore(ckpt: LoadedCheckpoint): void {
    restoreTrainer(this, ckpt);
  }

  /** Shuffle seed of an epoch: a pure function of (seed, epoch), so a resumed run sees the same order. */
  epochSeed(epoch: number): number {
    return this.o.settings.seed * 1_000_003 + epoch;
  }

  private lrFor(epoch: number): number {
    const s = this.o.settings.schedule;
    if (this.stagedLr) return this.stagedLr.lr * this.lrScale;
    if (this.plateau) return this.plateau.lr; // a reset plateau schedule carries the scale in its base LR
    const spec = (s as { spec: Parameters<typeof lrForEpoch>[0] }).spec;
    // after a reset the schedule steps with the epoch count since it (NNCF's runner: lr_scheduler.step(training_epoch_count))
    return this.lrRestart === undefined ? lrForEpoch(spec, epoch) : scheduleLr(spec, epoch - this.lrRestart) * this.lrScale;
  }

  async fit(): Promise<EpochRecord[]> {
    const { settings } = this.o;
    try {
      while (this.position.epoch < settings.epochs) await this.runEpoch(this.position.epoch);
    } finally {
      this.syncVariables();
      await this.ort?.release();
      this.ort = undefined;
    }
    return this.history;
  }

  /**
   * Writes what the ORT trainer keeps host-side (parameters, running statistics, optimizer slots) to the
   * tf.Variables and the optimizer. The trainer does so before evaluation, checkpoints, epoch-end
   * callbacks and at the end; an `onBatchEnd` callback that reads weights mid-epoch calls it first.
   */
  syncVariables(): void {
    this.ort?.host?.push(this.optimizer);
  }

  private async runEpoch(epoch: number, stepScheduler = true): Promise<void> {
    const { o } = this;
    const { settings, controller } = o;
    const batches = o.train.numBatches(settings.batchSize);
    const startBatch = this.position.batch;
    if (startBatch === 0 && stepScheduler) {
      controller.scheduler.epochStep();
      await settle(controller.scheduler);
    }
    await this.ensureOrt();
    if (!this.stagedLr) this.optimizer.lr = this.lrFor(epoch);
    o.onEpochStart?.(epoch, batches);
    const sums = { loss: 0, taskLoss: 0, compressionLoss: 0, metric: 0, samples: 0 };
    let i = 0;
    let loopStart = performance.now();
    for (const batch of o.train.batches(settings.batchSize, { shuffleSeed: this.epochSeed(epoch) })) {
      if (i++ < startBatch) {
        loopStart = performance.now();
        continue;
      }
      const b = i - 1;
      this.schedulerStep();
      const schedulerLr = controller.scheduler.learningRate?.();
      if (schedulerLr !== undefined) this.optimizer.lr = schedulerLr;
      const r = await this.trainBatch(batch);
      const n = batch.indices.length;
      sums.loss += r.loss * n;
      sums.taskLoss += r.taskLoss * n;
      sums.compressionLoss += r.compressionLoss * n;
      sums.metric += r.metric ?? 0;
      sums.samples += n;
      const boundary = (b + 1) % settings.batchMultiplier === 0 || b + 1 === batches;
      if (boundary) {
        if (this.stagedLr) {
          this.optimizer.lr = this.stagedLr.lr * this.lrScale;
          this.optimizer.weightDecay = this.stagedLr.weightDecay;
        }
        if (this.ort?.host) this.ort.host.apply(this.optimizer);
        else this.optimizer.apply(this.acc.take());
        this.acc.reset();
        this.position.globalStep++;
      }
      this.stagedLr?.step(b / batches);
      this.position.batch = b + 1;
      this.throughput.samples += n;
      o.onBatchEnd?.({ ...r, epoch, batch: b, batches, samples: n, lr: this.optimizer.lr });
      const every = o.checkpointEverySteps ?? 0;
      if (boundary && every > 0 && this.position.globalStep % every === 0 && b + 1 < batches) {
        this.throughput.seconds += (performance.now() - loopStart) / 1000;
        this.syncVariables();
        this.checkpoint('last');
        loopStart = performance.now();
      }
    }
    this.throughput.seconds += (performance.now() - loopStart) / 1000;
    this.syncVariables(); // evaluation, callbacks and checkpoints read the variables
    const record: EpochRecord = {
      epoch,
      loss: sums.loss / Math.max(sums.samples, 1),
      taskLoss: sums.taskLoss / Math.max(sums.samples, 1),
      compressionLoss: sums.compressionLoss / Math.max(sums.samples, 1),
      metric: o.batchMetric ? sums.metric / Math.max(sums.samples, 1) : undefined,
      lr: this.optimizer.lr,
      stage: controller.compressionStage(),
    };
    if (o.evaluate) record.evalMetric = await o.evaluate(epoch);
    if (this.plateau && o.evaluate) this.plateau.step(Math.max(record.evalMetric ?? -Infinity, this.best.metric));
    // NNCF: best if accuracy improved at the same compression stage, or the stage advanced
    const metric = record.evalMetric ?? -Infinity;
    const isBest = (metric > this.best.metric && record.stage === this.best.stage) || record.stage > this.best.stage;
    this.best = { metric: Math.max(metric, this.best.metric), stage: Math.max(record.stage, this.best.stage) };
    this.stagedLr?.epochStep();
    this.history.push(record);
    this.position = { epoch: epoch + 1, batch: 0, globalStep: this.position.globalStep };
    o.onEpochEnd?.(record);
    if (o.checkpointDir) {
      const path = this.checkpoint('last');
      if (isBest && o.evaluate) this.checkpoint('best');
      void path;
    }
  }

  /**
   * controller.scheduler.step(); in host mode with the variables synced around it as the controllers'
   * hostSync() ask: host values written before a step that reads them, read back after one that writes.
   */
  private schedulerStep(): void {
    const host = this.ort?.host;
    const access = host ? leafControllers(this.o.controller).map(([c]) => hostSyncOf(c).step) : [];
    const writes = access.includes('writes');
    if (host && (writes || access.includes('reads'))) host.writeVariables();
    this.o.controller.scheduler.step();
    if (host && writes) host.readVariables();
  }

  /** Opens the ORT session; plans again (a new session) when the model's commands changed since. */
  private async ensureOrt(): Promise<void> {
    if (this.choice.engine !== 'ort') return;
    const now = this.o.model.commands();
    const planned = this.choice.plan.commands;
    const same = now.length === planned.length && now.every((c, i) => c === planned[i]);
    if (this.ort && same) {
      // the epoch step may have changed variables (range init), a restore or an optimizer reset too
      this.ort.host?.pull(this.optimizer);
      return;
    }
    this.syncVariables();
    await this.ort?.release();
    this.ort = undefined;
    if (!same) {
      this.choice = chooseTrainingEngine(this.o.engine, this.o.model, this.o.controller, this.o.loss, this.o.log ?? ((l) => process.stderr.write(`${l}\n`)));
      this.engine = this.choice.engine;
      if (this.choice.engine !== 'ort') return;
    }
    this.ort = await OrtTrainingEngine.create(this.choice.plan, this.o.model, this.variables, this.inputName, this.o.threads ?? availableParallelism(), this.o.ortSync);
    this.ort.host?.pull(this.optimizer);
    this.ortTiming = this.ort.timing;
  }

  /**
   * Parameters NNCF sets in a training forward (controller.needsForwardInit: binarization's activation
   * scale) come from tfjs hooks, which the compiled ORT step does not run: that batch's forward runs on
   * the engine first, in train mode (BatchNorm on batch statistics, as the step sees them). The running
   * statistics it updates are put back, since the ORT step updates them, and Dropout's counter is kept.
   * In host mode the forward reads the host values (written first) and its scale is read back after.
   */
  private forwardInit(batch: Batch): void {
    if (!this.o.controller.needsForwardInit?.()) return;
    this.ort?.host?.writeVariables();
    this.forwardInitOnEngine(batch);
    this.ort?.host?.readVariables();
  }

  private forwardInitOnEngine(batch: Batch): void {
    const engine = this.o.model.engine;
    const running = engine.weights().filter((w) => !w.trainable).map((w) => ({ v: w.variable, saved: w.variable.clone() }));
    const x = toTensor(batch.x, 'float32');
    try {
      tf.tidy(() => {
        engine.run({ [this.inputName]: x }, { training: true, dropoutSeed: 0 });
      });
    } finally {
      x.dispose();
      for (const { v, saved } of running) {
        v.assign(saved);
        saved.dispose();
      }
    }
  }

  /**
   * One batch, with the running-statistics channels the controllers freeze (controller.frozenRunningStats:
   * elastic width's inactive channels) put back after the step: their masked channels see zero
   * activations, whose batch statistics would drag the supernet's running mean/var towards 0.
   */
  private async trainBatch(batch: Batch): Promise<StepResult> {
    const frozen = leafControllers(this.o.controller).flatMap(([c]) => c.frozenRunningStats?.() ?? []);
    if (!frozen.length) return this.trainBatchOnce(batch);
    if (this.ort?.host) {
      const restore = this.ort.host.freezeStats(frozen);
      const r = await this.trainBatchOnce(batch);
      restore();
      return r;
    }
    const weights = new Map(this.o.model.engine.weights().map((w) => [w.name, w.variable]));
    const saved = frozen.map(({ name, keep }) => {
      const v = weights.get(name);
      if (!v || v.size !== keep.length) throw new Error(`frozen running statistic "${name}": no engine weight of ${keep.length} values`);
      return { v, keep, old: Float32Array.from(v.dataSync() as Float32Array) };
    });
    const r = await this.trainBatchOnce(batch);
    for (const { v, keep, old } of saved) {
      const now = Float32Array.from(v.dataSync() as Float32Array);
      for (let i = 0; i < now.length; i++) if (!keep[i]) now[i] = old[i];
      const t = tf.tensor(now, v.shape, 'float32');
      v.assign(t);
      t.dispose();
    }
    return r;
  }

  private async trainBatchOnce(batch: Batch): Promise<StepResult> {
    const { o } = this;
    if (this.ort?.host) {
      this.forwardInit(batch);
      // the loss terms and fed inputs computed from compression variables read the host values
      const reads = this.ort.plan.lossControllers.filter((c) => hostSyncOf(c).loss || hostSyncOf(c).feeds);
      if (reads.length) this.ort.host.writeVariables(new Set(reads.flatMap((c) => c.compressionVariables())));
      const r = await this.ort.runHost(batch, o.batchMetric);
      const terms = this.hostLossTerms();
      return { ...r, loss: r.loss + terms, compressionLoss: r.compressionLoss + terms };
    }
    if (this.ort) {
      this.forwardInit(batch);
      const { result, grads } = await this.ort.run(batch, o.batchMetric);
      this.acc.add(grads);
      const terms = compressionLossGradients(this.ort.plan.lossControllers, this.variables);
      this.acc.add(terms.grads, false);
      return { ...result, loss: result.loss + terms.value, compressionLoss: result.compressionLoss + terms.value };
    }
    const x = toTensor(batch.x, 'float32');
    const y = batch.y && toTensor(batch.y, batch.y.dtype.startsWith('float') ? 'float32' : 'int32');
    try {
      return this.acc.run(() => {
        const outputs = o.model.run({ [this.inputName]: x }, { training: true });
        const task = o.loss(outputs, y);
        const compression = o.controller.loss();
        return { task, compression, metric: o.batchMetric?.(outputs, y) };
      });
    } finally {
      x.dispose();
      y?.dispose();
    }
  }

  /**
   * Host mode: the controllers' loss() terms (gradients from tfjs, added to the host accumulator, as the
   * per-step path adds them to its own). Controllers whose loss is the constant 0 (hostSync().loss false)
   * are skipped; the others' compression variables got the host values before the step.
   */
  private hostLossTerms(): number {
    const host = this.ort!.host!;
    if (!this.ort!.plan.lossControllers.some((c) => hostSyncOf(c).loss)) return 0;
    const terms = compressionLossGradients(this.ort!.plan.lossControllers, this.variables);
    host.addVariableGradients(terms.grads);
    return terms.value;
  }

  /** Writes `<checkpointDir>/<name>.ckpt` atomically; returns the path. */
  checkpoint(name: string): string {
    if (!this.o.checkpointDir) throw new TrainingConfigError('checkpointDir', 'no checkpoint directory was given');
    const path = `${this.o.checkpointDir}/${name}.ckpt`;
    saveTrainerCheckpoint(this, path);
    this.o.onCheckpoint?.(path, { ...this.position });
    return path;
  }

  dispose(): void {
    // trainEpoch callers (accuracy-aware loops) never leave fit(): close the ORT session here
    this.syncVariables();
    void this.ort?.release().catch(() => {});
    this.ort = undefined;
    this.acc.reset();
    this.optimizer.dispose();
  }
}

function toTensor(a: NdArray, dtype: 'float32' | 'int32'): tf.Tensor {
  const src = a.data as ArrayLike<number | bigint>;
  const data = dtype === 'float32' ? new Float32Array(src.length) : new Int32Array(src.length);
  if (a.dtype === 'float32' && dtype === 'float32') data.set(a.data as Float32Array);
  else for (let i = 0; i < src.length; i++) data[i] = Number(src[i]);
  return tf.tensor(data, a.shape, dtype);
}
