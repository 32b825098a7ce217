/**
 * Runtime objects attached to a config, like NNCF's "extra structs": data loaders for range
 * init / BN adaptation / precision init, evaluation functions, LeGR training hooks. They never come
 * from JSON. Loader and function types are generic because config/ knows no engine or data layer.
 */

export interface ExtraStruct {
  readonly structId: string;
}

/** A class of extra struct: its static `structId` names the slot it fills. */
export interface ExtraStructClass<T extends ExtraStruct> {
  readonly structId: string;
  readonly prototype: T;
}

export class QuantizationRangeInitArgs<Loader = unknown> implements ExtraStruct {
  static readonly structId = 'quantization_range_init_args';
  readonly structId = QuantizationRangeInitArgs.structId;
  constructor(
    readonly dataLoader: Loader,
    readonly device?: string,
  ) {}
}

export class BNAdaptationInitArgs<Loader = unknown> implements ExtraStruct {
  static readonly structId = 'bn_adaptation_init_args';
  readonly structId = BNAdaptationInitArgs.structId;
  constructor(
    readonly dataLoader: Loader,
    readonly device?: string,
  ) {}
}

/** HAWQ needs a loss: `criterionFn(outputs, targets, criterion)` (null: cross-entropy of the first output vs integer labels) and the data to estimate traces. */
export class QuantizationPrecisionInitArgs<Loader = unknown, Criterion = unknown> implements ExtraStruct {
  static readonly structId = 'quantization_precision_init_args';
  readonly structId = QuantizationPrecisionInitArgs.structId;
  constructor(
    readonly criterionFn: ((outputs: unknown, targets: unknown, criterion: Criterion) => unknown) | null,
    readonly criterion: Criterion,
    readonly dataLoader: Loader,
    readonly device?: string,
    /**
     * nncf-ts extension: the mode the model is in while HAWQ estimates its Hessian traces. NNCF runs the
     * model in whatever mode it was handed over in — training mode for a model fresh from training
     * (BatchNorm on batch statistics: 'train', the default) or eval mode after `model.eval()` ('eval').
     */
    readonly traceMode?: 'train' | 'eval',
  ) {}
}

/** AutoQ evaluates candidate policies with `evalFn(model, loader)` on a subset of `dataLoader`. */
export class AutoQPrecisionInitArgs<Loader = unknown> implements ExtraStruct {
  static readonly structId = 'autoq_precision_init_args';
  readonly structId = AutoQPrecisionInitArgs.structId;
  constructor(
    readonly dataLoader: Loader,
    readonly evalFn: (model: unknown, loader: Loader) => number | Promise<number>,
  ) {}
}

/** Used by accuracy-aware training and LeGR to measure the model. */
export class ModelEvaluationArgs implements ExtraStruct {
  static readonly structId = 'model_evaluation_args';
  readonly structId = ModelEvaluationArgs.structId;
  constructor(readonly evalFn: (model: unknown) => number | Promise<number>) {}
}

/**
 * LeGR (filter_pruning with interlayer_ranking_type "learned_ranking") trains each candidate ranking
 * for a few steps and scores it, as NNCF's LeGRInitArgs: `trainFn(trainLoader, model, optimizer,
 * controller, steps)` trains the model in place for `steps` batches; `valFn(model, valLoader)` returns
 * `[accuracy, loss]` (the reward is −loss). `trainOptimizer` is handed to trainFn as its optimizer
 * (absent: NNCF's default, SGD lr 0.01, momentum 0.9, weight decay 5e-4, nesterov).
 */
export class LeGRInitArgs<Loader = unknown> implements ExtraStruct {
  static readonly structId = 'legr_init_args';
  readonly structId = LeGRInitArgs.structId;
  constructor(
    readonly trainLoader: Loader,
    readonly trainFn: (loader: Loader, model: unknown, optimizer: unknown, controller: unknown, steps: number) => unknown,
    readonly valLoader: Loader,
    readonly valFn: (model: unknown, loader: Loader) => readonly [number, number] | Promise<readonly [number, number]>,
    readonly trainOptimizer?: unknown,
    /** Where the search's progress lines go (NNCF's nncf_logger.info; default: stderr). Not in NNCF's signature. */
    readonly log?: (line: string) => void,
  ) {}
}

export class DuplicateExtraStructError extends Error {
  override name = 'DuplicateExtraStructError';
}

/** At most one struct per id, as in NNCF: registering a second one is an error. */
export class ExtraStructRegistry {
  readonly #structs = new Map<string, ExtraStruct>();

  register(structs: readonly ExtraStruct[]): void {
    for (const struct of structs) {
      if (this.#structs.has(struct.structId)) {
        throw new DuplicateExtraStructError(
          `${struct.structId} is already registered as extra struct in NNCFConfig`,
        );
      }
      this.#structs.set(struct.structId, struct);
    }
  }

  get<T extends ExtraStruct>(kind: ExtraStructClass<T>): T | undefined {
    return this.#structs.get(kind.structId) as T | undefined;
  }

  has(kind: ExtraStructClass<ExtraStruct>): boolean {
    return this.#structs.has(kind.structId);
  }

  ids(): string[] {
    return [...this.#structs.keys()];
  }
}
