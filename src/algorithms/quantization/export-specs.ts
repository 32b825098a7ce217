/** Quantizers → the exporter's algorithm-independent QuantizerExportSpecs (one per tensor a quantizer reads). */
import type { QuantizerExportSpec } from '../../exporters/onnx/quantized/index.js';
import type { QuantizerModule } from './modules.js';

export function exportSpecs(mods: QuantizerModule[]): QuantizerExportSpec[] {
  const specs: QuantizerExportSpec[] = [];
  for (const m of mods) {
    if (!m.quantizer.enabled) continue; // a disabled quantizer is the identity
    const fq = m.quantizer.fakeQuantizeParams();
    const p = m.placed;
    m.tensors.forEach((tensor, k) => {
      specs.push({
        id: k === 0 ? p.id : `${p.id}#${k}`,
        target:
          p.kind === 'weight'
            ? { kind: 'weight', tensor }
            : { kind: 'activation', tensor, ...(m.inputPorts?.[tensor] ? { consumers: m.inputPorts[tensor].map((x) => ({ ...x })) } : {}) },
        bits: p.bits,
        levels: fq.levels,
        levelLow: fq.levelLow,
        levelHigh: fq.levelHigh,
        mode: p.mode,
        signed: m.quantizer.signed,
        narrowRange: p.narrowRange,
        ...(p.perChannel ? { perChannelAxis: p.channelAxis ?? (p.kind === 'weight' ? 0 : 1) } : {}),
        inputLow: Float32Array.from(fq.inputLow),
        inputHigh: Float32Array.from(fq.inputHigh),
        ...(fq.clip ? { clip: { low: Float32Array.from(fq.clip.low), high: Float32Array.from(fq.clip.high) } } : {}),
      });
    });
  }
  return specs;
}
