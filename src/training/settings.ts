/**
 * Training settings from the keys NNCF's sample configs carry next to the NNCF sections. Supported:
 * - `batch_size` (default 32), `epochs` (default 1), `seed` (default 0; shuffling);
 * - `optimizer`: `type` adam|sgd (case-insensitive, default adam), `base_lr` (1e-4), `weight_decay`
 *   (1e-4, 0 with rb_sparsity — NNCF's get_default_weight_decay), `optimizer_params` (sgd: momentum
 *   [0.9 when optimizer_params is absent, as NNCF], dampening, nesterov; adam: betas, eps),
 *   `schedule_type` multistep|step|exponential|poly|cosine|plateau (default step), `steps`, `step` (30),
 *   `gamma` (0.1), `schedule_params`/`scheduler_params` (power, T_max, eta_min, patience, threshold,
 *   cooldown, min_lr), `parameter_groups` (NNCF's sample scripts: a list of {re, lr, weight_decay}; a
 *   parameter trains with the first group whose `re` is found in its name, one in no group does not
 *   train; a group's lr follows the LR schedule in proportion, lr / weight_decay default to
 *   optimizer_params' or torch's: Adam lr 1e-3, weight decay 0);
 * - staged mode, when the quantization (or binarization) section has `params` (NNCF's staged worker):
 *   Adam(params.base_lr, params.base_wd), the poly-drop / WD policy, `params.batch_multiplier`; the
 *   `optimizer` key is then ignored, as in NNCF.
 * Anything else under `optimizer` → TrainingConfigError naming the key.
 */
import type { NNCFConfig } from '../config/index.js';
import { TrainingConfigError } from './errors.js';
import { SCHEDULE_TYPES, type ScheduleSpec, type ScheduleType } from './lr-schedules.js';
import type { StagedLrParams } from './staged-lr-policy.js';

export interface OptimizerSettings {
  type: 'sgd' | 'adam';
  baseLr: number;
  weightDecay: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  betas: [number, number];
  eps: number;
  /** `optimizer.parameter_groups`, in order (the first group whose regex matches a name wins). */
  groups?: ParamGroupSettings[];
}

export interface ParamGroupSettings {
  /** Searched for (RegExp.test, as Python's re.search) in the parameter's name; '' matches all. */
  re: RegExp;
  lr: number;
  weightDecay: number;
}

export interface TrainingSettings {
  batchSize: number;
  epochs: number;
  seed: number;
  batchMultiplier: number;
  optimizer: OptimizerSettings;
  /** Epoch-wise LR schedule, or the staged-quantization policy. */
  schedule: { kind: 'epoch'; spec: ScheduleSpec } | { kind: 'staged'; params: StagedLrParams };
}

const OPTIMIZER_KEYS = ['type', 'base_lr', 'weight_decay', 'optimizer_params', 'schedule_type', 'steps', 'step', 'gamma', 'schedule_params', 'scheduler_params', 'parameter_groups'];
const GROUP_KEYS = ['re', 'lr', 'weight_decay'];
const SGD_PARAMS = ['momentum', 'dampening', 'nesterov', 'lr', 'weight_decay'];
const ADAM_PARAMS = ['betas', 'eps', 'lr', 'weight_decay'];
const SCHEDULE_PARAMS = ['power', 'T_max', 'eta_min', 'patience', 'threshold', 'cooldown', 'min_lr', 'threshold_mode', 'mode', 'factor'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown, option: string, dflt: number, check: (n: number) => boolean = Number.isFinite, what = 'a finite number'): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !check(v)) throw new TrainingConfigError(option, `must be ${what}, got ${JSON.stringify(v)}`);
  return v;
}

const posInt = (n: number) => Number.isInteger(n) && n > 0;

function onlyKeys(o: Obj, allowed: string[], where: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new TrainingConfigError(`${where}.${k}`, `unsupported option (supported: ${allowed.join(', ')})`);
}

export interface SettingsOverrides {
  epochs?: number;
  batchSize?: number;
  seed?: number;
}

export function trainingSettings(config: NNCFConfig, overrides: SettingsOverrides = {}): TrainingSettings {
  const batchSize = num(overrides.batchSize ?? config.get('batch_size'), 'batch_size', 32, posInt, 'a positive integer');
  const epochs = num(overrides.epochs ?? config.get('epochs'), 'epochs', 1, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  const seed = num(overrides.seed ?? config.get('seed'), 'seed', 0, Number.isInteger, 'an integer');
  const staged = config.algorithms.find((s) => (s.algorithm === 'quantization' || s.algorithm === 'binarization') && 'params' in s && s.params);
  if (staged) {
    const params = (staged as { params: StagedLrParams & { batch_multiplier?: number } }).params;
    const where = `compression.${staged.algorithm}.params`;
    const batchMultiplier = num(params.batch_multiplier, `${where}.batch_multiplier`, 1, posInt, 'a positive integer');
    const baseLr = num(params.base_lr, `${where}.base_lr`, 1e-3, (n) => n >= 0, 'a non-negative number');
    const weightDecay = num(params.base_wd, `${where}.base_wd`, 1e-5, (n) => n >= 0, 'a non-negative number');
    num(params.lr_poly_drop_duration_epochs, `${where}.lr_poly_drop_duration_epochs`, 30, (n) => n > 0, 'a positive number');
    const optimizer: OptimizerSettings = { type: 'adam', baseLr, weightDecay, momentum: 0, dampening: 0, nesterov: false, betas: [0.9, 0.999], eps: 1e-8 };
    return { batchSize, epochs, seed, batchMultiplier, optimizer, schedule: { kind: 'staged', params } };
  }
  const raw = config.get('optimizer') ?? {};
  if (!isObj(raw)) throw new TrainingConfigError('optimizer', `must be an object, got ${JSON.stringify(raw)}`);
  onlyKeys(raw, OPTIMIZER_KEYS, 'optimizer');
  const type = raw.type === undefined ? 'adam' : typeof raw.type === 'string' ? raw.type.toLowerCase() : raw.type;
  if (type !== 'adam' && type !== 'sgd') throw new TrainingConfigError('optimizer.type', `unknown optimizer ${JSON.stringify(raw.type)} (supported: adam, sgd)`);
  const p = raw.optimizer_params ?? (type === 'sgd' ? { momentum: 0.9 } : {});
  if (!isObj(p)) throw new TrainingConfigError('optimizer.optimizer_params', 'must be an object');
  onlyKeys(p, type === 'sgd' ? SGD_PARAMS : ADAM_PARAMS, 'optimizer.optimizer_params');
  const rb = config.algorithms.some((s) => s.algorithm === 'rb_sparsity');
  const betas = p.betas ?? [0.9, 0.999];
  if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === 'number'))
    throw new TrainingConfigError('optimizer.optimizer_params.betas', `must be two numbers, got ${JSON.stringify(betas)}`);
  const optimizer: OptimizerSettings = {
    type,
    // torch takes lr / weight_decay from the parameter group (base_lr / weight_decay), which wins over optimizer_params
    baseLr: num(raw.base_lr, 'optimizer.base_lr', num(p.lr, 'optimizer.optimizer_params.lr', 1e-4), (n) => n >= 0, 'a non-negative number'),
    weightDecay: num(raw.weight_decay, 'optimizer.weight_decay', rb ? 0 : 1e-4, (n) => n >= 0, 'a non-negative number'),
    momentum: num(p.momentum, 'optimizer.optimizer_params.momentum', 0, (n) => n >= 0, 'a non-negative number'),
    dampening: num(p.dampening, 'optimizer.optimizer_params.dampening', 0),
    nesterov: bool(p.nesterov, 'optimizer.optimizer_params.nesterov'),
    betas: betas as [number, number],
    eps: num(p.eps, 'optimizer.optimizer_params.eps', 1e-8, (n) => n >= 0, 'a non-negative number'),
  };
  const schedule = scheduleSpec(raw, optimizer.baseLr, epochs);
  if (raw.parameter_groups !== undefined) optimizer.groups = paramGroups(raw.parameter_groups, p, type, schedule);
  return { batchSize, epochs, seed, batchMultiplier: 1, optimizer, schedule: { kind: 'epoch', spec: schedule } };
}

/**
 * NNCF's get_parameter_groups: torch gives a group without lr / weight_decay the optimizer's defaults
 * (optimizer_params, else Adam lr 1e-3 / weight decay 0; SGD has no default lr). Our schedules scale
 * base_lr, so a group trains at lr · schedule(t) / base_lr: torch's per-group value for every schedule
 * with a zero floor, hence eta_min / min_lr > 0 (not proportional) and base_lr 0 are refused.
 */
function paramGroups(v: unknown, p: Obj, type: 'sgd' | 'adam', schedule: ScheduleSpec): ParamGroupSettings[] {
  const where = 'optimizer.parameter_groups';
  if (!Array.isArray(v) || v.length === 0) throw new TrainingConfigError(where, `must be a non-empty list of {re, lr, weight_decay}, got ${JSON.stringify(v)}`);
  if (!(schedule.baseLr > 0)) throw new TrainingConfigError('optimizer.base_lr', 'must be > 0 with parameter_groups (a group\'s LR follows the schedule as lr · schedule / base_lr)');
  if (schedule.etaMin !== 0 || schedule.minLr !== 0)
    throw new TrainingConfigError(`${where}`, 'cannot be combined with a non-zero eta_min / min_lr (torch floors each group at that value, not in proportion)');
  return v.map((g, i) => {
    const at = `${where}[${i}]`;
    if (!isObj(g)) throw new TrainingConfigError(at, `must be an object, got ${JSON.stringify(g)}`);
    onlyKeys(g, GROUP_KEYS, at);
    if (g.re !== undefined && typeof g.re !== 'string') throw new TrainingConfigError(`${at}.re`, `must be a string, got ${JSON.stringify(g.re)}`);
    let re: RegExp;
    try {
      re = new RegExp(g.re ?? '');
    } catch (e) {
      throw new TrainingConfigError(`${at}.re`, `is not a valid regular expression: ${(e as Error).message}`);
    }
    const defaultLr = p.lr ?? (type === 'adam' ? 1e-3 : undefined);
    if (g.lr === undefined && defaultLr === undefined) throw new TrainingConfigError(`${at}.lr`, 'is required with SGD (torch has no default SGD lr) unless optimizer_params.lr is set');
    const lr = num(g.lr, `${at}.lr`, defaultLr as number, (n) => n >= 0, 'a non-negative number');
    const weightDecay = num(g.weight_decay, `${at}.weight_decay`, num(p.weight_decay, 'optimizer.optimizer_params.weight_decay', 0), (n) => n >= 0, 'a non-negative number');
    return { re, lr, weightDecay };
  });
}

function bool(v: unknown, option: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new TrainingConfigError(option, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function scheduleSpec(raw: Obj, baseLr: number, epochs: number): ScheduleSpec {
  const t = raw.schedule_type === undefined ? 'step' : typeof raw.schedule_type === 'string' ? raw.schedule_type.toLowerCase() : raw.schedule_type;
  if (!SCHEDULE_TYPES.includes(t as ScheduleType))
    throw new TrainingConfigError('optimizer.schedule_type', `unknown schedule ${JSON.stringify(raw.schedule_type)} (supported: ${SCHEDULE_TYPES.join(', ')})`);
  const sp = raw.schedule_params ?? raw.scheduler_params ?? {};
  const where = raw.schedule_params !== undefined ? 'optimizer.schedule_params' : 'optimizer.scheduler_params';
  if (!isObj(sp)) throw new TrainingConfigError(where, 'must be an object');
  onlyKeys(sp, SCHEDULE_PARAMS, where);
  if (sp.mode !== undefined && sp.mode !== 'max') throw new TrainingConfigError(`${where}.mode`, 'only "max" (accuracy) is supported');
  if (sp.threshold_mode !== undefined && sp.threshold_mode !== 'abs') throw new TrainingConfigError(`${where}.threshold_mode`, 'only "abs" is supported');
  const type = t as ScheduleType;
  const steps = raw.steps;
  if (type === 'multistep' && (!Array.isArray(steps) || !steps.every((s) => typeof s === 'number')))
    throw new TrainingConfigError('optimizer.steps', `multistep needs a list of epoch numbers, got ${JSON.stringify(steps)}`);
  return {
    type,
    baseLr,
    gamma: num(raw.gamma, 'optimizer.gamma', num(sp.factor, `${where}.factor`, 0.1), (n) => n > 0, 'a positive number'),
    steps: steps as number[] | undefined,
    stepSize: num(raw.step, 'optimizer.step', 30, (n) => n > 0, 'a positive number'),
    epochs,
    power: num(sp.power, `${where}.power`, 0.9),
    tMax: sp.T_max === undefined ? undefined : num(sp.T_max, `${where}.T_max`, 0, (n) => n > 0, 'a positive number'),
    etaMin: num(sp.eta_min, `${where}.eta_min`, 0),
    patience: num(sp.patience, `${where}.patience`, 10, (n) => n >= 0),
    threshold: num(sp.threshold, `${where}.threshold`, 0.1),
    cooldown: num(sp.cooldown, `${where}.cooldown`, 0, (n) => n >= 0),
    minLr: num(sp.min_lr, `${where}.min_lr`, 0, (n) => n >= 0),
  };
}
