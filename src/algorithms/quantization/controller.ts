/**
 * NNCF's QuantizationController: the quantizers of one model, their statistics, export and state.
 * Stage: FULLY_COMPRESSED when every quantizer is enabled, PARTIALLY when some are, else UNCOMPRESSED.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BaseScheduler, CompressionStage, type CompressionController, type ControllerState, type Statistics } from '../../compression/index.js';
import { writeQuantizers } from '../../exporters/onnx/quantized/index.js';
import type { Graph } from '../../graph/index.js';
import { Quantizer } from './fake-quantize/index.js';
import { exportSpecs } from './export-specs.js';
import { mirrorSpecs } from './export-mirror.js';
import type { QuantizerModule } from './modules.js';
import type { RangeInitReport } from './range-init.js';
import { quantizationStatistics } from './statistics.js';

export class QuantizationController implements CompressionController {
  readonly name: string;
  readonly scheduler = new BaseScheduler();
  rangeInit: RangeInitReport | null = null;
  bnAdaptationSteps = 0;

  constructor(
    name: string,
    readonly modules: readonly QuantizerModule[],
    private readonly graph: Graph,
    private readonly standardOps: boolean,
  ) {
    this.name = name;
  }

  loss(): tf.Scalar {
    return tf.scalar(0);
  }

  statistics(): Statistics {
    return quantizationStatistics([...this.modules], this.graph);
  }

  compressionStage(): CompressionStage {
    const on = this.modules.filter((m) => m.quantizer.enabled).length;
    if (on === 0) return CompressionStage.UNCOMPRESSED;
    return on === this.modules.length ? CompressionStage.FULLY_COMPRESSED : CompressionStage.PARTIALLY_COMPRESSED;
  }

  disableScheduler(): void {}

  prepareForExport(): void {}

  editExportGraph(graph: Graph): void {
    const specs = exportSpecs([...this.modules]);
    if (this.standardOps) specs.push(...mirrorSpecs(graph, specs));
    writeQuantizers(graph, specs, { standardOps: this.standardOps });
  }

  compressionVariables(): tf.Variable[] {
    return this.modules.flatMap((m) => m.quantizer.trainableVariables());
  }

  /** The quantizer with NNCF id `id`. */
  quantizer(id: string): Quantizer | undefined {
    return this.modules.find((m) => m.placed.id === id)?.quantizer;
  }

  getState(): ControllerState {
    return {
      scheduler_state: this.scheduler.getState(),
      compression_stage: this.compressionStage(),
      quantizers: Object.fromEntries(this.modules.map((m) => [m.placed.id, m.quantizer.toState()])),
    };
  }

  loadState(state: ControllerState): void {
    this.scheduler.loadState(state.scheduler_state);
    const qs = (state.quantizers ?? {}) as Record<string, unknown>;
    for (const m of this.modules) {
      const s = qs[m.placed.id];
      if (s === undefined) continue;
      const loaded = Quantizer.fromState(s);
      m.quantizer.dispose();
      m.quantizer = loaded;
    }
  }

  dispose(): void {
    for (const m of this.modules) m.quantizer.dispose();
  }
}
