import type { HwConfig, HwOpEntry, QuantizerConfig } from './types.js';

/**
 * Reading a HW config the way NNCF's HWConfig does: a named config expands to every combination of
 * its list-valued fields (bits × mode × granularity, in listed order), an op's list concatenates the
 * expansions of its named configs, duplicates dropped keeping the first.
 */

export function qconfigKey(q: QuantizerConfig): string {
  return `${q.bits}/${q.mode}/${q.perChannel ? 'pc' : 'pt'}/${q.signed === undefined ? '?' : q.signed ? 's' : 'u'}`;
}

export function sameQConfig(a: QuantizerConfig, b: QuantizerConfig): boolean {
  return qconfigKey(a) === qconfigKey(b);
}

export function expandNamedQConfigs(hw: HwConfig, names: readonly string[]): QuantizerConfig[] {
  const out: QuantizerConfig[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const def = hw.qconfigs[name];
    if (!def) throw new Error(`HW config ${hw.name} refers to unknown quantizer config "${name}"`);
    for (const mode of def.mode)
      for (const g of def.granularity) {
        const q: QuantizerConfig = { bits: def.bits, mode, perChannel: g === 'perchannel' };
        if (def.forceSigned && mode === 'symmetric') q.signed = true;
        const k = qconfigKey(q);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(q);
        }
      }
  }
  return out;
}

/** The entry for a HW op name; attribute-specific entries (Interpolate mode) are chosen by `attrs`. */
export function findOpEntry(hw: HwConfig, hwName: string, attrs: { mode?: string } = {}): HwOpEntry | undefined {
  const entries = hw.operations.filter((e) => e.type === hwName);
  if (entries.length <= 1) return entries[0];
  return entries.find((e) => e.attributes?.mode === attrs.mode) ?? entries.find((e) => !e.attributes) ?? entries[0];
}

/**
 * Allowed configs for an op's activation inputs or weights:
 *  - undefined: the op is not in the HW config at all ("unspecified");
 *  - []: listed without configs for this group ("wildcard" — NNCF then uses defaults/traits);
 *  - otherwise the expanded list.
 */
export function allowedQConfigs(
  hw: HwConfig,
  hwNames: readonly string[],
  group: 'activations' | 'weights',
  attrs: { mode?: string } = {},
): QuantizerConfig[] | undefined {
  let result: QuantizerConfig[] | undefined;
  for (const name of hwNames) {
    const entry = findOpEntry(hw, name, attrs);
    if (!entry) continue;
    const list = entry[group];
    result = list ? expandNamedQConfigs(hw, list) : [];
  }
  return result;
}

export function hasUnifiedScales(hw: HwConfig, hwNames: readonly string[]): boolean {
  return hwNames.some((n) => hw.operations.some((e) => e.type === n && e.unifiedScales === true));
}

export function hasAdjustPadding(hw: HwConfig, hwNames: readonly string[]): boolean {
  return hwNames.some((n) => hw.operations.some((e) => e.type === n && e.adjustPadding === true));
}

/** Every bit width any op of the config allows for a group (used in error messages and precision init). */
export function allowedBits(hw: HwConfig, group: 'activations' | 'weights'): number[] {
  const bits = new Set<number>();
  for (const e of hw.operations) for (const q of expandNamedQConfigs(hw, e[group] ?? [])) bits.add(q.bits);
  return [...bits].sort((a, b) => b - a);
}
