/**
 * Range initialization of the placed quantizers (NNCF `_run_range_initialization` + apply_minmax_init):
 * statistics come from the initialization services (FP model: quantizers are disabled meanwhile, like
 * NNCF's init stage); weights are read from the engine; signedness is decided from the statistics
 * (min < 0 → signed) unless forced.
 */
import type { NNCFConfig } from '../../config/index.js';
import type { CompressedModel } from '../../compression/index.js';
import type { RangeTarget } from '../../compression/index.js';
import type { QuantizationInitServices } from './init-services.js';
import type { QuantizerModule } from './modules.js';

export interface RangeInitReport {
  initialized: number;
  backend: string | null;
  skipped?: string;
}

function scopeOfId(id: string): string {
  const i = id.lastIndexOf('|');
  return i < 0 ? id : id.slice(0, i);
}

export function rangeTargets(mods: QuantizerModule[], model: CompressedModel): RangeTarget[] {
  return mods.map((m) => {
    const p = m.placed;
    const t: RangeTarget = {
      id: p.id,
      group: p.kind === 'weight' ? 'weights' : 'activations',
      scope: scopeOfId(p.id),
      mode: p.mode,
      channelAxis: p.perChannel ? (p.channelAxis ?? (p.kind === 'weight' ? 0 : 1)) : null,
      initializerOverride: p.initializerOverride,
    };
    if (p.kind === 'weight') {
      const w = model.engine.getWeight(m.tensors[0]);
      t.weight = { values: Float32Array.from(w.dataSync() as Float32Array), dims: [...w.shape] };
      w.dispose();
    } else t.tensors = [...m.tensors];
    return t;
  });
}

export async function runRangeInit(
  mods: QuantizerModule[],
  model: CompressedModel,
  config: NNCFConfig,
  rangeSection: unknown,
  services: QuantizationInitServices,
  opts: { trained?: boolean } = {},
): Promise<RangeInitReport> {
  if (rangeSection === undefined && !services.hasRangeInitData(config)) {
    // NNCF: no initializer.range and no data loader → a warning, ranges keep their constructor values.
    return { initialized: 0, backend: null, skipped: 'no initializer.range section and no range-init data: ranges keep their initial values' };
  }
  const saved = mods.map((m) => m.quantizer.enabled);
  for (const m of mods) m.quantizer.enabled = false;
  let result: Awaited<ReturnType<QuantizationInitServices['collectRanges']>>;
  try {
    result = await services.collectRanges(model, config, rangeSection, rangeTargets(mods, model), opts);
  } finally {
    mods.forEach((m, i) => (m.quantizer.enabled = saved[i]));
  }
  let initialized = 0;
  for (const m of mods) {
    const s = result.stats.get(m.placed.id);
    if (!s) continue;
    if (m.quantizer.applyMinMaxInit(s.min, s.max, m.placed.id)) initialized++;
  }
  return { initialized, backend: result.backend };
}
