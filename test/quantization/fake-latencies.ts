import type { MeasureConfigurations } from '../../src/algorithms/quantization/latency-fallback/index.js';

/** Additive fake: each block costs q[b] quantized, f[b] float; the model costs their sum. Records every call. */
export const additive = (q: number[], f: number[]): MeasureConfigurations & { calls: number[][][] } => {
  const calls: number[][][] = [];
  const fn = async (configs: readonly (readonly number[])[]) => {
    calls.push(configs.map((c) => [...c]));
    return configs.map((c) => q.reduce((s, qb, b) => s + (c.includes(b) ? f[b] : qb), 0));
  };
  return Object.assign(fn, { calls });
};
