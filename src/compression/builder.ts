import type { NNCFConfig, ResolvedAlgorithmSection } from '../config/index.js';
import type { CompressedModel } from './compressed-model.js';
import type { CompressionController } from './controller.js';

/** Build-time facts an algorithm needs to rebuild the same structure on resume (NNCF's builder_state). */
export type BuilderState = Record<string, unknown>;

/** Runtime inputs of building: data for initializers, and the state of an earlier run to resume. */
export interface BuildContext {
  config: NNCFConfig;
  /** The previous run's builder state for this algorithm, if resuming. */
  builderState?: BuilderState;
}

/**
 * One config algorithm: reads the model and its config section, applies insertion commands to the
 * model, then initializes (range init, BN adaptation…) and returns its controller.
 */
export interface CompressionAlgorithmBuilder {
  readonly name: string;
  /**
   * Order of applying commands across algorithms (NNCF's TransformationPriority): lower first, 0 when
   * absent; sparsity masks (−1) come before quantizers on the same weight whatever the config order.
   */
  readonly priority?: number;
  /**
   * Optional asynchronous step run right before `apply` (after the earlier algorithms' commands are
   * applied), e.g. a data-driven search that decides the structure `apply` builds (HAWQ precision init).
   */
  prepare?(model: CompressedModel, ctx: BuildContext): Promise<void>;
  /** Applies the algorithm's commands; must be deterministic for a given graph + config + builder state. */
  apply(model: CompressedModel, ctx: BuildContext): void;
  /** Runs initialization (may use data attached to the config) and returns the controller. */
  buildController(model: CompressedModel, ctx: BuildContext): Promise<CompressionController>;
  getBuilderState(): BuilderState;
}

export type BuilderFactory = (section: ResolvedAlgorithmSection, config: NNCFConfig) => CompressionAlgorithmBuilder;

const factories = new Map<string, BuilderFactory>();

/** Registers the builder for a config algorithm name; registering a name twice throws. */
export function registerAlgorithm(name: string, factory: BuilderFactory): void {
  if (factories.has(name)) throw new Error(`compression algorithm "${name}" is registered twice`);
  factories.set(name, factory);
}

export function algorithmFactory(name: string): BuilderFactory {
  const f = factories.get(name);
  if (!f) {
    const known = [...factories.keys()].sort().join(', ') || 'none';
    throw new Error(`compression algorithm "${name}" is not built yet in nncf-ts (built: ${known})`);
  }
  return f;
}

export function registeredAlgorithms(): string[] {
  return [...factories.keys()].sort();
}
