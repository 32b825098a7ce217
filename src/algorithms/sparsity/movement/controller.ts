/**
 * NNCF's MovementSparsityController: the scheduler sets threshold and λ on every layer per step; the
 * loss is the ImportanceLoss; at the end of warm-up the structured masks are resolved (when enabled)
 * and everything freezes. compression_rate is the model's sparsity level (read only, as NNCF);
 * stage: UNCOMPRESSED before warm-up, PARTIALLY during, FULLY after.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BaseScheduler, CompressionStage, Statistics, type CompressedModel, type CompressionController, type ControllerState, type HostSync } from '../../../compression/index.js';
import type { Graph } from '../../../graph/index.js';
import { SparsityConfigError } from '../base-controller.js';
import { sparsityTables, type SparsifiedModelStatistics } from '../statistics.js';
import { removeStructured } from './export-structured.js';
import { ImportanceLoss } from './loss.js';
import type { MovementSchedulerParams } from './params.js';
import { MovementPolynomialThresholdScheduler } from './scheduler.js';
import type { MovementSparsifier } from './sparsifier.js';
import { collectMovementStatistics } from './statistics.js';
import type { StructuredGroup } from './structured-groups.js';
import { resolveStructuredMasks, type StructuredLayerReport } from './structured-mask.js';
import { structuredSparsityCsv } from './structured-report-csv.js';
import { initThreshold } from './threshold.js';

export class MovementSparsityController implements CompressionController {
  readonly name = 'movement_sparsity';
  readonly priority = -1;
  scheduler: MovementPolynomialThresholdScheduler | BaseScheduler;
  readonly movementScheduler: MovementPolynomialThresholdScheduler;
  readonly importanceLoss: ImportanceLoss;
  /** The structured-mask report (NNCF's structured_sparsity.csv rows), once resolved. */
  structuredReport?: StructuredLayerReport[];
  /** `--remove-structured`: the export drops pruned heads/channels physically (export-structured.ts). */
  removeStructured = false;

  constructor(
    readonly model: CompressedModel,
    readonly sparsifiers: readonly MovementSparsifier[],
    readonly params: MovementSchedulerParams,
    readonly groups: readonly StructuredGroup[],
    readonly warn: (line: string) => void = (l) => console.warn(l),
  ) {
    this.movementScheduler = new MovementPolynomialThresholdScheduler(this, params);
    this.scheduler = this.movementScheduler;
    this.importanceLoss = new ImportanceLoss(sparsifiers);
  }

  setImportanceThresholdAndFactor(threshold: number, factor: number): void {
    for (const s of this.sparsifiers) {
      s.importanceThreshold = threshold;
      s.importanceRegularizationFactor = factor;
    }
  }

  calcInitThreshold(): number {
    return initThreshold(this.sparsifiers.flatMap((s) => s.masks.map((m) => ({ scores: m.importance.dataSync() as Float32Array, repeat: m.repeat }))));
  }

  resolveStructuredMasks(): void {
    this.structuredReport = resolveStructuredMasks(this.groups, new Map(this.sparsifiers.map((s) => [s.name, s])));
  }

  freeze(): void {
    this.importanceLoss.disable();
    for (const s of this.sparsifiers) s.freeze();
  }

  /**
   * Steps that compute the init threshold or resolve/freeze the masks read (and may write) the scores;
   * the loss reads them, and so does the fed mask while not frozen (recomputed from the scores per step).
   */
  hostSync(): HostSync {
    const touches = this.scheduler === this.movementScheduler && this.movementScheduler.nextStepTouchesScores();
    return { step: touches ? 'writes' : 'none', loss: true, feeds: !this.sparsifiers.every((s) => s.frozen) };
  }

  loss(): tf.Scalar {
    return this.importanceLoss.calculate();
  }

  collect(): SparsifiedModelStatistics {
    return collectMovementStatistics(this.model.engine, this.sparsifiers);
  }

  get importanceThreshold(): number {
    return this.sparsifiers[0].importanceThreshold;
  }

  get importanceRegularizationFactor(): number {
    return this.sparsifiers[0].importanceRegularizationFactor;
  }

  statistics(): Statistics {
    const s = this.collect();
    const tables = sparsityTables(s);
    tables.push({
      title: 'Statistics of the movement-sparsity algorithm:',
      header: ["Statistic's name", 'Value'],
      rows: [
        ['Mask Importance Threshold', this.importanceThreshold],
        ['Importance Regularization Factor', this.importanceRegularizationFactor],
      ],
    });
    if (this.structuredReport)
      tables.push({
        title: 'Structured masks (whole heads / channels):',
        header: ['group', 'layer', 'weight shape', 'pruned weight shape', 'bias shape', 'pruned bias shape', 'kept heads or channels'],
        rows: this.structuredReport.map((r) => [r.groupId, r.layer, `[${r.weightShape.join(', ')}]`, `[${r.prunedWeightShape.join(', ')}]`, `[${r.biasShape.join(', ')}]`, `[${r.prunedBiasShape.join(', ')}]`, `[${r.keptUnits.join(', ')}]`]),
      });
    return new Statistics(
      this.name,
      {
        sparsity_level: s.sparsityLevel,
        sparsity_level_for_layers: s.sparsityLevelForLayers,
        importance_threshold: this.importanceThreshold,
        importance_regularization_factor: this.importanceRegularizationFactor,
      },
      tables,
    );
  }

  compressionStage(): CompressionStage {
    const epoch = this.movementScheduler.currentEpoch;
    if (epoch < this.params.warmupStartEpoch) return CompressionStage.UNCOMPRESSED;
    if (epoch >= this.params.warmupEndEpoch) return CompressionStage.FULLY_COMPRESSED;
    return CompressionStage.PARTIALLY_COMPRESSED;
  }

  /** NNCF: the sparsity level of the whole model. */
  get compressionRate(): number {
    return this.collect().sparsityLevel;
  }

  set compressionRate(_level: number) {
    throw new SparsityConfigError('movement_sparsity: the compression rate cannot be set; the importance threshold schedule decides it (as in NNCF)');
  }

  disableScheduler(): void {
    this.scheduler = new BaseScheduler();
  }

  prepareForExport(): void {}

  editExportGraph(graph: Graph): void {
    for (const m of this.sparsifiers.flatMap((s) => s.masks)) {
      const values = tf.tidy(() => m.toOnnx(m.maskedWeight()).dataSync() as Float32Array);
      const old = graph.initializers.get(m.layer.weight)!;
      graph.initializers.set(m.layer.weight, { ...old, dtype: 'float32', dims: [...old.dims], values: Float32Array.from(values) });
    }
    if (!this.removeStructured) return;
    if (!this.structuredReport)
      throw new SparsityConfigError('--remove-structured: the structured masks are not resolved yet (they are at the end of warm-up, with params.enable_structured_masking)');
    removeStructured(graph, this.groups, new Map(this.sparsifiers.map((s) => [s.name, s.layer])), this.structuredReport);
  }

  /** NNCF writes structured_sparsity.csv into log_dir once the structured masks are resolved. */
  logFiles(): Record<string, string> {
    if (!this.structuredReport) return {};
    const weights = new Map(this.sparsifiers.map((s) => [s.name, s.layer.weight]));
    return { 'structured_sparsity.csv': structuredSparsityCsv(this.structuredReport, (l) => weights.get(l)) };
  }

  /** Scores (trainable) and the stored masks (what a frozen, structured model uses). */
  compressionVariables(): tf.Variable[] {
    return this.sparsifiers.flatMap((s) => s.masks.flatMap((m) => [m.importance, m.mask]));
  }

  getState(): ControllerState {
    return {
      scheduler_state: this.movementScheduler.getState(),
      compression_stage: this.compressionStage(),
      frozen: this.sparsifiers.map((s) => s.frozen),
      loss_disabled: this.importanceLoss.disabled,
      importance_threshold: this.importanceThreshold,
      importance_regularization_factor: this.importanceRegularizationFactor,
      structured_report: this.structuredReport ?? null,
    };
  }

  loadState(state: ControllerState): void {
    this.movementScheduler.loadState(state.scheduler_state);
    const frozen = state.frozen as boolean[] | undefined;
    frozen?.forEach((f, i) => f && this.sparsifiers[i]?.freeze());
    if (state.loss_disabled === true) this.importanceLoss.disable();
    const t = state.importance_threshold, f = state.importance_regularization_factor;
    // JSON writes −∞ as null
    if (Array.isArray(state.structured_report)) this.structuredReport = state.structured_report as StructuredLayerReport[];
    if (f !== undefined) this.setImportanceThresholdAndFactor(typeof t === 'number' ? t : -Infinity, typeof f === 'number' ? f : 0);
  }

  dispose(): void {
    for (const s of this.sparsifiers) s.dispose();
  }
}

/** The movement_sparsity controller of a (composite) controller, if the config has the section. */
export function findMovementSparsityController(controller: CompressionController): MovementSparsityController | undefined {
  if (controller instanceof MovementSparsityController) return controller;
  const children = (controller as { children?: readonly CompressionController[] }).children ?? [];
  return children.find((c): c is MovementSparsityController => c instanceof MovementSparsityController);
}

/** `--remove-structured`: export the resolved structured masks by removing the pruned rows/columns/heads. */
export function removeStructuredMasks(controller: CompressionController): void {
  const c = findMovementSparsityController(controller);
  if (!c) throw new SparsityConfigError('--remove-structured applies to movement_sparsity, and the config has no movement_sparsity section');
  if (!c.params.enableStructuredMasking)
    throw new SparsityConfigError('--remove-structured needs structured masks: movement_sparsity.params.enable_structured_masking is false');
  c.removeStructured = true;
}
