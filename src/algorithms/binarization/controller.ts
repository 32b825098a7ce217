/**
 * NNCF's BinarizationController: the staged quantization scheduler switches the activation and weight
 * binarizers on at their start epochs (no range init: NNCF's init_range is empty); no loss; statistics:
 * the binarized layers and their share of the model's MACs (NNCF prints that table at build).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CompressionStage, Statistics, type CompressionController, type ControllerState, type HostSync } from '../../compression/index.js';
import type { Graph } from '../../graph/index.js';
import { StagedQuantizationScheduler, type StagedQuantizationParamsLike } from '../quantization/staged-scheduler.js';
import type { LayerBinarizers } from './binarizers.js';
import { writeBinarization, type BinarizationExportFormat } from './export.js';

export interface MacCount {
  name: string;
  binarized: boolean;
  macs: number;
}

export class BinarizationController implements CompressionController {
  readonly name = 'binarization';
  readonly scheduler: StagedQuantizationScheduler;
  /** Export form: standard ONNX ops (default) or NNCF's FakeQuantize levels=2 ('fq'). */
  exportFormat: BinarizationExportFormat = 'onnx';

  constructor(
    readonly layers: readonly LayerBinarizers[],
    params: StagedQuantizationParamsLike,
    readonly macs: readonly MacCount[],
  ) {
    const set = (which: 'weightFlag' | 'activationFlag', on: boolean) => () => layers.forEach((l) => l[which].set(on));
    this.scheduler = new StagedQuantizationScheduler(
      {
        enableActivations: set('activationFlag', true),
        disableActivations: set('activationFlag', false),
        enableWeights: set('weightFlag', true),
        disableWeights: set('weightFlag', false),
        initRange: () => {},
      },
      params,
    );
  }

  /** Flags switch at epoch steps; the activation-scale init is the trainer's forward init (needsForwardInit). */
  hostSync(): HostSync {
    return { step: 'none', loss: false };
  }

  loss(): tf.Scalar {
    return tf.scalar(0);
  }

  compressionStage(): CompressionStage {
    return this.scheduler.compressionStage();
  }

  disableScheduler(): void {
    this.scheduler.disable();
  }

  statistics(): Statistics {
    const total = this.macs.reduce((a, m) => a + m.macs, 0);
    const binarized = this.macs.filter((m) => m.binarized).reduce((a, m) => a + m.macs, 0);
    const rows = this.macs.map((m) => [m.name, m.binarized ? 'Y' : 'N', m.macs, total ? (100 * m.macs) / total : 0]);
    return new Statistics(
      this.name,
      {
        mode: this.layers[0]?.mode ?? 'none',
        binarized_layers: this.layers.length,
        weights_binarized: this.scheduler.weightsEnabled,
        activations_binarized: this.scheduler.activationsEnabled,
        binarized_mac_share: total ? binarized / total : 0,
      },
      [{ title: 'Binarization (Conv and Gemm MACs per sample):', header: ['Layer', 'Binarized', 'MAC count', 'MAC share, %'], rows }],
    );
  }

  prepareForExport(): void {}

  editExportGraph(graph: Graph): void {
    writeBinarization(graph, this.layers, this.exportFormat);
  }

  compressionVariables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.scale, l.threshold]);
  }

  /** An enabled activation binarizer whose scale is still unset: the next training forward sets it. */
  needsForwardInit(): boolean {
    return this.layers.some((l) => l.activationFlag.enabled && !l.scaleInitialized);
  }

  getState(): ControllerState {
    return { scheduler_state: this.scheduler.getState(), compression_stage: this.compressionStage(), scale_initialized: this.layers.map((l) => l.scaleInitialized) };
  }

  loadState(state: ControllerState): void {
    this.scheduler.loadState(state.scheduler_state);
    const init = state.scale_initialized as boolean[] | undefined;
    if (init) this.layers.forEach((l, i) => (l.scaleInitialized = init[i] ?? l.scaleInitialized));
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}

/** Sets the export form of the binarization in a (composite) controller: 'onnx' or NNCF's 'fq'. */
export function setBinarizationExportFormat(controller: CompressionController, format: BinarizationExportFormat): boolean {
  const children = (controller as { children?: readonly CompressionController[] }).children ?? [controller];
  const b = children.find((c): c is BinarizationController => c instanceof BinarizationController);
  if (b) b.exportFormat = format;
  return b !== undefined;
}
