import type { BuildContext, CompressedModel, CompressionAlgorithmBuilder, CompressionController } from '../../compression/index.js';
import type { NNCFConfig, ResolvedAlgorithmSection, ResolvedBinarization } from '../../config/index.js';
import type { Graph } from '../../graph/index.js';
import { LayerBinarizers } from './binarizers.js';
import { BinarizationController, type MacCount } from './controller.js';
import { BinarizationError, binarizableLayers } from './layers.js';

/** Per conv: a weight binarizer and an activation binarizer on its input, as NNCF's BinarizationBuilder. */
export class BinarizationBuilder implements CompressionAlgorithmBuilder {
  readonly name = 'binarization';
  private layers: LayerBinarizers[] = [];

  constructor(
    readonly section: ResolvedBinarization,
    readonly config: NNCFConfig,
  ) {
    if (section.mode !== 'xnor' && section.mode !== 'dorefa') throw new BinarizationError(`binarization.mode must be "xnor" or "dorefa", got ${JSON.stringify(section.mode)}`);
    const written = [config.document.compression ?? []].flat() as { algorithm?: string; initializer?: unknown }[];
    if (written.some((s) => s.algorithm === 'binarization' && s.initializer !== undefined))
      throw new BinarizationError(
        "compression.binarization.initializer is not supported: NNCF's binarization runs no initialization (its builder's initialize() is empty), so BN adaptation, range or precision settings there would do nothing; remove the key",
      );
  }

  apply(model: CompressedModel, _ctx: BuildContext): void {
    // NNCF: compression_lr_multiplier of the section, else the global one (get_redefinable_global_param_value_for_algo)
    const multiplier = this.config.compressionLrMultiplier('binarization') ?? 1;
    this.layers = binarizableLayers(model.graph, model.engine, this.section).map((l) => new LayerBinarizers(l, this.section.mode, this.name, multiplier));
    for (const l of this.layers) {
      model.apply(l.weightCommand());
      model.apply(l.activationCommand());
    }
  }

  async buildController(model: CompressedModel, _ctx: BuildContext): Promise<CompressionController> {
    return new BinarizationController(this.layers, this.section.params, macCounts(model.graph, new Set(this.layers.map((l) => l.layer.node))));
  }

  getBuilderState(): Record<string, unknown> {
    return { binarized_layers: this.layers.map((l) => l.layer.name) };
  }
}

/** MACs per sample of every Conv (k·k·Cin/g·Cout·Hout·Wout) and Gemm, as NNCF's table counts them. */
function macCounts(graph: Graph, binarized: ReadonlySet<string>): MacCount[] {
  const out: MacCount[] = [];
  for (const n of graph.nodes) {
    const w = graph.initializers.get(n.inputs[1] ?? '');
    if (!w) continue;
    if (n.opType === 'Conv' && w.dims.length === 4) {
      const shape = graph.tensor(n.outputs[0])?.shape;
      const hw = shape && typeof shape[2] === 'number' && typeof shape[3] === 'number' ? shape[2] * shape[3] : NaN;
      out.push({ name: n.scope ?? n.name, binarized: binarized.has(n.name), macs: w.dims.reduce((a, d) => a * d, 1) * hw });
    } else if (n.opType === 'Gemm' && w.dims.length === 2) out.push({ name: n.scope ?? n.name, binarized: false, macs: w.dims[0] * w.dims[1] });
  }
  return out.filter((m) => Number.isFinite(m.macs));
}

export function binarizationFactory(section: ResolvedAlgorithmSection, config: NNCFConfig): BinarizationBuilder {
  if (section.algorithm !== 'binarization') throw new BinarizationError(`cannot build binarization from a "${section.algorithm}" section`);
  return new BinarizationBuilder(section, config);
}
