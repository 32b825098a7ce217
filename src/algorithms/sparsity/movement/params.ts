/**
 * movement_sparsity's config, checked as NNCF checks it (MovementSchedulerParams, SparseConfig,
 * SparseConfigByScope): the scheduler params with their defaults, and the sparse structure of each
 * `sparse_structure_by_scopes` entry. Every error names the config key.
 */
import type { ResolvedMovementSparsity, SparseStructureSection } from '../../../config/index.js';
import { SparsityConfigError } from '../base-controller.js';

export interface MovementSchedulerParams {
  warmupStartEpoch: number;
  warmupEndEpoch: number;
  importanceRegularizationFactor: number;
  enableStructuredMasking: boolean;
  /** undefined: computed at warm-up start (≈0.1 % of the importances below it). */
  initImportanceThreshold?: number;
  finalImportanceThreshold: number;
  power: number;
  /** undefined: measured in epoch 0. */
  stepsPerEpoch?: number;
}

export type SparseStructure = 'fine' | 'block' | 'per_dim';

export interface SparseConfig {
  mode: SparseStructure;
  /** fine: [1, 1]; block: the given factors; per_dim: resolved per layer from `axis`. */
  sparseFactors?: [number, number];
  axis?: number;
}

export interface SparseConfigByScope {
  config: SparseConfig;
  targetScopes: string | readonly string[];
}

const AT = 'movement_sparsity.params';

/** NNCF's MovementSchedulerParams.from_dict + its checks; `warn` gets NNCF's warning lines. */
export function movementSchedulerParams(section: ResolvedMovementSparsity, warn: (line: string) => void = () => {}): MovementSchedulerParams {
  const p = section.params;
  if (!p || p.warmup_start_epoch === undefined || p.warmup_end_epoch === undefined || p.importance_regularization_factor === undefined)
    throw new SparsityConfigError(`${AT}.warmup_start_epoch, ${AT}.warmup_end_epoch and ${AT}.importance_regularization_factor are required for movement sparsity`);
  if (p.steps_per_epoch === undefined && p.warmup_start_epoch < 1)
    throw new SparsityConfigError(
      `${AT}.warmup_start_epoch must be >= 1 to measure steps_per_epoch in epoch 0; raise it or give ${AT}.steps_per_epoch`,
    );
  if (p.warmup_start_epoch < 0 || p.warmup_end_epoch <= p.warmup_start_epoch)
    throw new SparsityConfigError(`${AT}: movement sparsity requires 0 <= warmup_start_epoch < warmup_end_epoch (got ${p.warmup_start_epoch}, ${p.warmup_end_epoch})`);
  if (p.importance_regularization_factor < 0)
    throw new SparsityConfigError(`${AT}.importance_regularization_factor must not be negative (got ${p.importance_regularization_factor})`);
  if (p.steps_per_epoch !== undefined && !(Number.isInteger(p.steps_per_epoch) && p.steps_per_epoch > 0))
    throw new SparsityConfigError(`${AT}.steps_per_epoch must be a positive integer (got ${p.steps_per_epoch})`);
  if (p.init_importance_threshold !== undefined && p.init_importance_threshold >= p.final_importance_threshold)
    warn(`movement_sparsity: init_importance_threshold (${p.init_importance_threshold}) is equal to or greater than final_importance_threshold (${p.final_importance_threshold}); movement sparsity may not work as expected`);
  return {
    warmupStartEpoch: p.warmup_start_epoch,
    warmupEndEpoch: p.warmup_end_epoch,
    importanceRegularizationFactor: p.importance_regularization_factor,
    enableStructuredMasking: p.enable_structured_masking,
    initImportanceThreshold: p.init_importance_threshold,
    finalImportanceThreshold: p.final_importance_threshold,
    power: p.power,
    stepsPerEpoch: p.steps_per_epoch,
  };
}

/** NNCF's SparseConfig checks for one `sparse_structure_by_scopes` entry. */
export function sparseConfigByScope(entry: SparseStructureSection, index: number): SparseConfigByScope {
  const at = `movement_sparsity.sparse_structure_by_scopes[${index}]`;
  const scopes = entry.target_scopes;
  if (scopes === undefined || (Array.isArray(scopes) && scopes.length === 0) || scopes === '')
    throw new SparsityConfigError(`${at}.target_scopes is missing`);
  const factors = entry.sparse_factors;
  let config: SparseConfig;
  switch (entry.mode) {
    case 'fine':
      if (factors !== undefined && !(factors.length === 2 && factors[0] === 1 && factors[1] === 1))
        throw new SparsityConfigError(`${at}.sparse_factors: the fine structure expects [1, 1] or nothing`);
      if (entry.axis !== undefined) throw new SparsityConfigError(`${at}.axis: the fine structure takes no axis`);
      config = { mode: 'fine', sparseFactors: [1, 1] };
      break;
    case 'block':
      if (factors === undefined) throw new SparsityConfigError(`${at}.sparse_factors is required by the block structure`);
      if (factors.length !== 2 || !factors.every((f) => Number.isInteger(f) && f > 0))
        throw new SparsityConfigError(`${at}.sparse_factors: the block structure expects two positive integers, got ${JSON.stringify(factors)}`);
      if (entry.axis !== undefined) throw new SparsityConfigError(`${at}.axis: the block structure takes no axis`);
      config = { mode: 'block', sparseFactors: [factors[0], factors[1]] };
      break;
    case 'per_dim':
      if (entry.axis === undefined) throw new SparsityConfigError(`${at}.axis is required by the per_dim structure`);
      if (factors !== undefined) throw new SparsityConfigError(`${at}.sparse_factors: the per_dim structure takes no sparse_factors`);
      config = { mode: 'per_dim', axis: Math.trunc(entry.axis) };
      break;
    default:
      throw new SparsityConfigError(`${at}.mode must be "fine", "block" or "per_dim", got ${JSON.stringify(entry.mode)}`);
  }
  return { config, targetScopes: scopes };
}

/**
 * Factors of a layer's weight [out, in] (PyTorch's Linear layout): one importance score per block of
 * that size. Block factors must divide the weight; per_dim scores one row (axis 0) or column (axis 1).
 */
export function sparseFactorsFor(weightShape: readonly [number, number], cfg: SparseConfig, layer: string): [number, number] {
  if (cfg.mode === 'fine') return [1, 1];
  if (cfg.mode === 'block') {
    const [r, c] = cfg.sparseFactors!;
    if (weightShape[0] % r !== 0 || weightShape[1] % c !== 0)
      throw new SparsityConfigError(`movement_sparsity.sparse_structure_by_scopes: block [${r}, ${c}] does not divide the weight [${weightShape.join(', ')}] of "${layer}"`);
    return [r, c];
  }
  const axis = cfg.axis!;
  if (axis < 0 || axis > 1) throw new SparsityConfigError(`movement_sparsity.sparse_structure_by_scopes: axis ${axis} of "${layer}" is outside [0, 1]`);
  return axis === 0 ? [1, weightShape[1]] : [weightShape[0], 1];
}
