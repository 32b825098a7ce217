/**
 * The decision of the latency check, given measurements only (so it is deterministic for given
 * numbers and testable with fake ones). A configuration is the set of blocks kept float; `measure`
 * times several configurations side by side (interleaved) and returns one latency each (the min of
 * its runs). Greedy, in graph order: a block turns float when that makes the model faster than the
 * current mix by more than `margin` in two separate interleaved runs (the second confirms the first: on a
 * loaded machine one run's minimum can be off by a few per cent). At the end the mix must beat the all-float model (= FP32) by
 * `margin`, else every block turns float: the export is never slower than FP32.
 *
 * Several deploy settings (batch sizes, thread counts): `measure` then returns one row of latencies per
 * setting. A block turns float when the mean over settings of (float time / quantized time) is below
 * 1 − margin (faster on balance, confirmed by a second run); the final mix must beat FP32 by the margin
 * at every setting, else every block turns float — so the export is slower than FP32 at none of them.
 * The reported milliseconds are those of the first setting.
 */

/** One latency per configuration (one setting), or one row of them per setting. */
export type MeasureConfigurations = (floatBlocks: readonly (readonly number[])[]) => Promise<number[] | number[][]>;

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
  /** The last measurement at each setting (none when the greedy pass already turned every block float). */
  mixBySetting: { mixMs: number; fp32Ms: number }[];
}

export interface DecideOptions {
  /**
   * Skip the confirming run when the first already shows the block faster float by this much beyond the
   * margin (mean ratio below 1 − margin − clearBand): the confirmation guards against a few per cent of
   * noise, not against a gain that wide, and each comparison costs seconds on a big model. Default:
   * always confirm.
   */
  clearBand?: number;
}

/** `measure` of two configurations, checked: rows of [first, second] latencies, one per setting. */
async function timedPair(measure: MeasureConfigurations, configs: number[][]): Promise<[number, number][]> {
  const t = await measure(configs);
  const rows = (t.length > 0 && Array.isArray(t[0]) ? t : [t]) as number[][];
  if (rows.some((r) => !Array.isArray(r) || r.length !== configs.length || r.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x <= 0)))
    throw new Error(`latency check: measure returned ${JSON.stringify(t)} for ${configs.length} configurations (want positive finite milliseconds, one row per setting)`);
  return rows.map((r) => [r[0], r[1]]);
}

export async function decideFloatBlocks(blockCount: number, measure: MeasureConfigurations, margin = 0.03, opts: DecideOptions = {}): Promise<LatencyDecision> {
  if (!(margin >= 0 && margin < 1)) throw new Error(`latency check: margin must be in [0, 1), got ${margin}`);
  const clearBand = opts.clearBand ?? Infinity;
  if (!(clearBand >= 0)) throw new Error(`latency check: clearBand must be >= 0, got ${clearBand}`);
  const all = Array.from({ length: blockCount }, (_, i) => i);
  const timed = (configs: number[][]) => timedPair(measure, configs);
  const meanRatio = (rows: [number, number][]) => rows.reduce((a, [q, f]) => a + f / q, 0) / rows.length;
  const [[allQuantizedMs, fp32Ms]] = await timed([[], all]);
  let float: number[] = [];
  const steps: BlockStep[] = [];
  for (const b of all) {
    const candidate = [...float, b];
    const rows = await timed([float, candidate]);
    const [quantizedMs, floatMs] = rows[0];
    const first = meanRatio(rows);
    let faster = first < 1 - margin;
    if (faster && first >= 1 - margin - clearBand) faster = meanRatio(await timed([float, candidate])) < 1 - margin;
    if (faster) float = candidate;
    steps.push({ block: b, quantizedMs, floatMs, float: faster });
  }
  if (float.length === blockCount) return { floatBlocks: all, steps, allQuantizedMs, fp32Ms, mixMs: fp32Ms, mixFp32Ms: fp32Ms, allFloat: true, mixBySetting: [] };
  const final = await timed([float, all]);
  const [mixMs, mixFp32Ms] = final[0];
  const allFloat = !final.every(([mix, fp32]) => mix < fp32 * (1 - margin));
  return { floatBlocks: allFloat ? all : float, steps, allQuantizedMs, fp32Ms, mixMs, mixFp32Ms, allFloat, mixBySetting: final.map(([m, f]) => ({ mixMs: m, fp32Ms: f })) };
}

/** One block's piece timed quantized vs float at one deploy setting. */
export interface PieceTiming {
  /** Min ms of the piece with the block quantized (its Q/DQ boundary included) and float. */
  quantizedMs: number;
  floatMs: number;
  /** Float time / quantized time, judged per round (e.g. the median of paired per-round ratios). */
  ratio: number;
}

/** Times block `block`'s own piece quantized vs float: one PieceTiming per deploy setting. */
export type MeasureBlockPiece = (block: number) => Promise<PieceTiming[]>;

/**
 * The per-block decision: each block is judged on its own piece of the model (its quantized piece vs its
 * float piece, same inputs), where the gain or loss of quantizing it is the whole ratio, not a few per cent
 * of the model's time. A block turns float when the mean over settings of float/quantized is below
 * 1 − margin; unless it is below by `clearBand` more, a second timing must agree. The pieces ignore how
 * blocks interact (a Q/DQ pair between two quantized blocks fuses away), so the chosen mix is then timed
 * as a whole against FP32 as in decideFloatBlocks: faster by the margin at every setting, or every block
 * turns float.
 */
export async function decideFloatBlocksByPiece(
  blockCount: number,
  measurePiece: MeasureBlockPiece,
  measure: MeasureConfigurations,
  margin = 0.03,
  opts: DecideOptions & {
    /**
     * Blocks not timed, kept quantized (the latency check passes the blocks with no Conv/Gemm weights: their
     * pieces take tens of microseconds, below what timing resolves, and floating them takes the Q/DQ away
     * from the integer kernels next to them).
     */
    untimed?: ReadonlySet<number>;
  } = {},
): Promise<LatencyDecision> {
  if (!(margin >= 0 && margin < 1)) throw new Error(`latency check: margin must be in [0, 1), got ${margin}`);
  const clearBand = opts.clearBand ?? Infinity;
  if (!(clearBand >= 0)) throw new Error(`latency check: clearBand must be >= 0, got ${clearBand}`);
  const all = Array.from({ length: blockCount }, (_, i) => i);
  const piece = async (b: number): Promise<PieceTiming[]> => {
    const t = await measurePiece(b);
    const bad = (x: number) => typeof x !== 'number' || !Number.isFinite(x) || x <= 0;
    if (!Array.isArray(t) || t.length === 0 || t.some((s) => !s || bad(s.quantizedMs) || bad(s.floatMs) || bad(s.ratio)))
      throw new Error(`latency check: the timing of block ${b} returned ${JSON.stringify(t)} (want one {quantizedMs, floatMs, ratio} of positive finite numbers per setting)`);
    return t;
  };
  const meanRatio = (rows: PieceTiming[]) => rows.reduce((a, r) => a + r.ratio, 0) / rows.length;
  const float: number[] = [];
  const steps: BlockStep[] = [];
  for (const b of all) {
    if (opts.untimed?.has(b)) {
      steps.push({ block: b, quantizedMs: NaN, floatMs: NaN, float: false });
      continue;
    }
    const rows = await piece(b);
    const first = meanRatio(rows);
    let faster = first < 1 - margin;
    if (faster && first >= 1 - margin - clearBand) faster = meanRatio(await piece(b)) < 1 - margin;
    if (faster) float.push(b);
    steps.push({ block: b, quantizedMs: rows[0].quantizedMs, floatMs: rows[0].floatMs, float: faster });
  }
  if (float.length === blockCount) return { floatBlocks: all, steps, allQuantizedMs: NaN, fp32Ms: NaN, mixMs: NaN, mixFp32Ms: NaN, allFloat: true, mixBySetting: [] };
  const rows = await timedPair(measure, [float, all]);
  const [mixMs, mixFp32Ms] = rows[0];
  const allFloat = !rows.every(([mix, fp32]) => mix < fp32 * (1 - margin));
  return {
    floatBlocks: allFloat ? all : [...float],
    steps,
    allQuantizedMs: float.length === 0 ? mixMs : NaN, // the whole all-quantized model is timed only when it is the mix
    fp32Ms: mixFp32Ms,
    mixMs,
    mixFp32Ms,
    allFloat,
    mixBySetting: rows.map(([m, f]) => ({ mixMs: m, fp32Ms: f })),
  };
}
