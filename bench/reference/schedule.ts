/**
 * Learning-rate schedule: linear warm-up from `peak·warmupStart` to `peak` over `warmupSteps`, then
 * cosine decay to `peak·finalFraction` at `totalSteps`.
 */
export interface WarmupCosine {
  peak: number;
  totalSteps: number;
  warmupSteps: number;
  warmupStart?: number;
  finalFraction?: number;
}

export function warmupCosineLr(step: number, s: WarmupCosine): number {
  const start = s.peak * (s.warmupStart ?? 0.1);
  const end = s.peak * (s.finalFraction ?? 0);
  if (step < s.warmupSteps) return start + ((s.peak - start) * step) / s.warmupSteps;
  const t = Math.min(1, (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps));
  return end + ((s.peak - end) * (1 + Math.cos(Math.PI * t))) / 2;
}
