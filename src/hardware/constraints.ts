import { HardwareConfigError } from './devices.js';
import type { QuantizationMode, QuantizerConfig } from './types.js';

/**
 * A user's constraints on quantizer configs (group settings `bits`/`mode`/`signed`/`per_channel`,
 * possibly updated by `scope_overrides`): unspecified fields constrain nothing.
 */
export interface QuantizationConstraints {
  bits?: number;
  mode?: QuantizationMode;
  signed?: boolean;
  perChannel?: boolean;
}

/** Config-file spelling of each constraint, for error messages. */
const OPTION_NAME: Record<keyof QuantizationConstraints, string> = {
  bits: 'bits',
  mode: 'mode',
  signed: 'signed',
  perChannel: 'per_channel',
};

const FIELDS = Object.keys(OPTION_NAME) as (keyof QuantizationConstraints)[];

/** `override` wins field by field (NNCF `get_updated_constraints`). */
export function updateConstraints(base: QuantizationConstraints, override: QuantizationConstraints): QuantizationConstraints {
  const out: QuantizationConstraints = { ...base };
  for (const f of FIELDS) if (override[f] !== undefined) (out as Record<string, unknown>)[f] = override[f];
  return out;
}

function fieldFits(q: QuantizerConfig, c: QuantizationConstraints, f: keyof QuantizationConstraints): boolean {
  if (c[f] === undefined) return true;
  // Signedness "from statistics" accepts a forced value; a forced HW signedness must agree.
  if (f === 'signed') return q.signed === undefined || q.signed === c.signed;
  return q[f] === c[f];
}

export function isCompatible(q: QuantizerConfig, c: QuantizationConstraints): boolean {
  return FIELDS.every((f) => fieldFits(q, c, f));
}

/** Applies constraints to one config: used without a HW config (TRIAL) and for ops the HW config leaves open. */
export function applyConstraints(q: QuantizerConfig, c: QuantizationConstraints): QuantizerConfig {
  const out: QuantizerConfig = { ...q };
  if (c.bits !== undefined) out.bits = c.bits;
  if (c.mode !== undefined) out.mode = c.mode;
  if (c.perChannel !== undefined) out.perChannel = c.perChannel;
  if (c.signed !== undefined) out.signed = c.signed;
  return out;
}

export interface ConstraintContext {
  /** 'weights' | 'activations' — the config group, named in the error. */
  group: 'weights' | 'activations';
  targetDevice: string;
  /** Node (scope) whose quantizer is being configured. */
  location: string;
  /** HW op type, for the message. */
  hwOp?: string;
}

/**
 * HW-allowed configs ∩ user constraints, keeping the HW order. An empty result is an error that names
 * the offending option(s) and what the device allows instead.
 */
export function constrainQConfigs(
  allowed: readonly QuantizerConfig[],
  c: QuantizationConstraints,
  ctx: ConstraintContext,
): QuantizerConfig[] {
  const kept = allowed.filter((q) => isCompatible(q, c)).map((q) => (q.signed === undefined && c.signed !== undefined ? { ...q, signed: c.signed } : q));
  if (kept.length > 0) return kept;
  const specified = FIELDS.filter((f) => c[f] !== undefined);
  const alone = specified.filter((f) => !allowed.some((q) => fieldFits(q, c, f)));
  const culprits = alone.length > 0 ? alone : specified;
  const asked = culprits.map((f) => `"${OPTION_NAME[f]}": ${JSON.stringify(c[f])}`).join(', ');
  const offers = culprits.map((f) => `${OPTION_NAME[f]} ∈ {${describeAllowed(allowed, f)}}`).join(', ');
  throw new HardwareConfigError(
    `quantization.${ctx.group}: ${asked} is incompatible with HW capabilities of target_device ${ctx.targetDevice} ` +
      `for "${ctx.location}"${ctx.hwOp ? ` (${ctx.hwOp})` : ''}; the device allows ${offers}`,
  );
}

function describeAllowed(allowed: readonly QuantizerConfig[], f: keyof QuantizationConstraints): string {
  const values = new Set(allowed.map((q) => (f === 'signed' && q.signed === undefined ? 'true, false' : String(q[f]))));
  return [...values].join(', ');
}
