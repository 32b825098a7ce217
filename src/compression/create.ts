import { BNAdaptationInitArgs, QuantizationRangeInitArgs, type NNCFConfig } from '../config/index.js';
import type { Dataset } from '../data/index.js';
import { Engine, ensureBackend, type EngineOptions } from '../engine/index.js';
import { materializeConstantAliases, type Graph } from '../graph/index.js';
import { algorithmFactory, type BuilderState, type CompressionAlgorithmBuilder } from './builder.js';
import { CompressedModel } from './compressed-model.js';
import { refuseUnbuiltSections } from './refusals.js';
import { byPriority, CompositeController, type CompressionController, type ControllerState } from './controller.js';
import { checkInputInfo } from './input-info.js';

/** NNCF's compression state: what rebuilds the same compressed structure and restores controllers. */
export interface CompressionState {
  builder_state: Record<string, BuilderState>;
  ctrl_state: ControllerState | Record<string, never>;
}

export interface CreateOptions {
  /** Data for range init and BN adaptation (attached to the config as NNCF's extra structs). */
  initDataset?: Dataset;
  /** Resume: the state a previous run's `getCompressionState()` returned. */
  compressionState?: CompressionState;
  engine?: EngineOptions;
}

export interface CreateResult {
  model: CompressedModel;
  controller: CompressionController;
  getCompressionState(): CompressionState;
}

/**
 * NNCF's create_compressed_model: builds each configured algorithm in config order, applies its
 * commands, initializes it, and returns the model with one (or a composite) controller.
 */
export async function createCompressedModel(graph: Graph, config: NNCFConfig, opts: CreateOptions = {}): Promise<CreateResult> {
  refuseUnbuiltSections(config); // before any work: an unbuilt section must not pass as done
  checkInputInfo(graph, config); // before any work: input_info must describe this model
  await ensureBackend(); // a caller that never picked a tfjs backend gets wasm, as the CLI does
  if (opts.initDataset) {
    if (!config.hasExtraStruct(QuantizationRangeInitArgs)) config.registerExtraStructs([new QuantizationRangeInitArgs(opts.initDataset)]);
    if (!config.hasExtraStruct(BNAdaptationInitArgs)) config.registerExtraStructs([new BNAdaptationInitArgs(opts.initDataset)]);
  }
  // PyTorch shares equal-valued parameters through Identity (e.g. fresh BN statistics); give each its own
  // initializer so BN adaptation and training update it, as they would the separate PyTorch parameter
  materializeConstantAliases(graph);
  const engine = new Engine(graph, opts.engine);
  const model = new CompressedModel(graph, engine);
  const builders: CompressionAlgorithmBuilder[] = config.algorithms.map((s) => algorithmFactory(s.algorithm)(s, config));
  const savedBuilders = opts.compressionState?.builder_state ?? {};
  const controllers: CompressionController[] = [];
  for (const b of byPriority(builders)) {
    const ctx = { config, builderState: savedBuilders[b.name] };
    await b.prepare?.(model, ctx);
    b.apply(model, ctx);
  }
  for (const b of builders) controllers.push(await b.buildController(model, { config, builderState: savedBuilders[b.name] }));
  const controller = controllers.length === 1 ? controllers[0] : new CompositeController(controllers);
  const saved = opts.compressionState?.ctrl_state;
  if (saved && 'scheduler_state' in saved) controller.loadState(saved as ControllerState);
  return {
    model,
    controller,
    getCompressionState: () => ({
      builder_state: Object.fromEntries(builders.map((b) => [b.name, b.getBuilderState()])),
      ctrl_state: controller.getState(),
    }),
  };
}
