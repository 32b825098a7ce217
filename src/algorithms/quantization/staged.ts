/**
 * What the staged quantization scheduler (staged-scheduler.ts) drives on a quantization controller:
 * the enabled flag of the activation group and of the weight group, and the range re-initialization
 * run when a group turns on. NNCF's `init_range()` without arguments re-uses the build-time range-init
 * parameters; when the build had none (no range-init data, or a resume from compression state where
 * NNCF does not initialize) it warns and does nothing — `initRange` is then null.
 */
import type { StagedQuantizationHandles } from './staged-scheduler.js';
import type { QuantizerModule } from './modules.js';
import type { RangeInitReport } from './range-init.js';

export type StagedRangeInit = () => Promise<RangeInitReport>;

function setGroup(mods: readonly QuantizerModule[], kind: 'activation' | 'weight', on: boolean): void {
  for (const m of mods) if (m.placed.kind === kind) m.quantizer.enabled = on;
}

export function stagedHandles(
  ctrl: { readonly modules: readonly QuantizerModule[] },
  initRange: StagedRangeInit | null,
  onInit: (report: RangeInitReport | null) => void,
): StagedQuantizationHandles {
  return {
    enableActivations: () => setGroup(ctrl.modules, 'activation', true),
    disableActivations: () => setGroup(ctrl.modules, 'activation', false),
    enableWeights: () => setGroup(ctrl.modules, 'weight', true),
    disableWeights: () => setGroup(ctrl.modules, 'weight', false),
    initRange: async () => {
      if (!initRange) {
        console.warn('quantization: a staged group turned on but no build-time range-init parameters exist (NNCF: range initialization will not be done)');
        onInit(null);
        return;
      }
      onInit(await initRange());
    },
  };
}
