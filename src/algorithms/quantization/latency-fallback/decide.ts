/**
 * The decision of the latency check, given measurements only (so it is deterministic for given
 * numbers and testable with fake ones). A configuration is the set of blocks kept float; `measure`
 * times several configurations side by side (interleaved) and returns one latency each (the min of
 * its runs). Greedy, in graph order: a block turns float when that makes the model faster than the
 * current mix by more than `margin` in two separate interleaved runs (the second confirms the first: on a
 * loaded machine one run's minimum can be off by a few per cent). At the end the mix must beat the all-float model (= FP32) by
 * `margin`, else every block turns float: the export is never slower than FP32.
 */

export type MeasureConfigurations = (floatBlocks: readonly (readonly number[])[]) => Promise<number[]>;

export interface BlockStep {
  block: number;
  /** Latency of the mix before this block was tried, and with this block float (same interleaved run). */
  quantizedMs: number;
  floatMs: number;
  float: boolean;
}

export interface LatencyDecision {
  /** Blocks kept float, ascending. */
  floatBlocks: number[];
  steps: BlockStep[];
  /** First measurement: every block quantized vs every block float. */
  allQuantizedMs: number;
  fp32Ms: number;
  /** Last measurement: the chosen mix before the final guard vs every block float. */
  mixMs: number;
  mixFp32Ms: number;
  /** The mix was not faster than FP32 by the margin, so every block is float. */
  allFloat: boolean;
}

export async function decideFloatBlocks(blockCount: number, measure: MeasureConfigurations, margin = 0.03): Promise<LatencyDecision> {
  if (!(margin >= 0 && margin < 1)) throw new Error(`latency check: margin must be in [0, 1), got ${margin}`);
  const all = Array.from({ length: blockCount }, (_, i) => i);
  const timed = async (configs: number[][]) => {
    const t = await measure(configs);
    if (t.length !== configs.length || t.some((x) => !Number.isFinite(x) || x <= 0))
      throw new Error(`latency check: measure returned ${JSON.stringify(t)} for ${configs.length} configurations (want positive finite milliseconds)`);
    return t;
  };
  const [allQuantizedMs, fp32Ms] = await timed([[], all]);
  let float: number[] = [];
  const steps: BlockStep[] = [];
  for (const b of all) {
    const candidate = [...float, b];
    const [quantizedMs, floatMs] = await timed([float, candidate]);
    let faster = floatMs < quantizedMs * (1 - margin);
    if (faster) {
      const [again, againFloat] = await timed([float, candidate]);
      faster = againFloat < again * (1 - margin);
    }
    if (faster) float = candidate;
    steps.push({ block: b, quantizedMs, floatMs, float: faster });
  }
  if (float.length === blockCount) return { floatBlocks: all, steps, allQuantizedMs, fp32Ms, mixMs: fp32Ms, mixFp32Ms: fp32Ms, allFloat: true };
  const [mixMs, mixFp32Ms] = await timed([float, all]);
  const allFloat = !(mixMs < mixFp32Ms * (1 - margin));
  return { floatBlocks: allFloat ? all : float, steps, allQuantizedMs, fp32Ms, mixMs, mixFp32Ms, allFloat };
}
