/**
 * The latency check of a compressed model (issue 11 item 4) through the public API: exports the
 * model, times it on onnxruntime-node against the all-float export (FP32's graph: a float block keeps
 * 8-bit weights that ORT folds to float at load) and keeps float the blocks that are slower quantized;
 * the controller's statistics then list them. Call it before
 * exporting. Only meaningful for the QDQ export (ORT cannot run FakeQuantize nodes).
 *
 * Speed depends on the deploy setting (MobileNetV3-small measured 1.1× faster than FP32 quantized at
 * batch 1 / 1 thread but 0.5× at batch 8 / 2 threads), so the check times every setting asked for
 * (default: batch 1 and 8 × 1 and 2 threads) and keeps the mix only if it beats FP32 at each of them.
 */
import { applyLatencyFallback, findQuantizationController, type BlockPiece, type LatencyFallbackSummary, type PieceTiming } from './algorithms/quantization/index.js';
import type { CreateResult } from './compression/index.js';
import { ndarray, type NdArray } from './data/index.js';
import { exportCompressedModelBytes } from './api.js';
import { decodeModelProto } from './graph/onnx-proto/index.js';
import { extractSubgraph, interleavedSessionLatencies, OrtSession, pairedRatio, timingSession } from './runtime/index.js';

/** Early stop: two models this far apart (min/min) after a third of the runs are decided. */
export const EARLY_STOP_RATIO = 1.2;
/** A float block this far beyond the margin faster in its first comparison needs no confirming run. */
export const CLEAR_BAND = 0.15;

export interface LatencySetting {
  batch: number;
  threads: number;
}

/** Batch 1 and 8, 1 and 2 intra-op threads: what `bench:zoo` promises. */
export const DEFAULT_LATENCY_SETTINGS: readonly LatencySetting[] = [
  { batch: 1, threads: 1 },
  { batch: 1, threads: 2 },
  { batch: 8, threads: 1 },
  { batch: 8, threads: 2 },
];

export interface LatencyCheckOptions {
  /** One input batch the model is timed on (e.g. the first calibration batch); its samples are repeated to fill larger batches. */
  feeds: Record<string, NdArray> | NdArray;
  /** Timed interleaved rounds per comparison at batch 1 (default 15; larger batches get proportionally fewer, at least 4). */
  runs?: number;
  /** Intra-op threads of a single batch-1 setting, when `settings` is not given. */
  threads?: number;
  /**
   * Deploy settings timed (default DEFAULT_LATENCY_SETTINGS). A model with a fixed batch dimension is
   * timed at that batch only, whatever the setting says.
   */
  settings?: readonly LatencySetting[];
  /** Relative gain a change must show (default 0.03) and the most blocks tried (default 12). */
  margin?: number;
  maxBlocks?: number;
  /**
   * Cheaper check (default on): a comparison stops timing a setting once, after a third of its runs, one
   * model's min is 1.2× the other's (the order will not flip), and a block whose first run shows it 15 %
   * beyond the margin faster float skips the confirming run. `false`: every run, every confirmation.
   */
  earlyStop?: boolean;
  /**
   * Judge each block on its own piece of the model (default on): the block cut out of the all-quantized
   * export (with the Q/DQ at its edges) vs the same piece of the FP32 export, fed the activations FP32
   * computes there, timed interleaved with paired per-round ratios. Only the chosen mix is then timed as a
   * whole model against FP32. `false`: every block is judged by timing whole models (a few per cent apart,
   * so noisy on a loaded machine).
   */
  perBlock?: boolean;
  /** Replaces ORT timing (tests): the latency of each model, in ms, or one row of them per setting. */
  timeModels?: (models: readonly Uint8Array[]) => Promise<number[] | number[][]>;
  /** Replaces ORT timing of a block's pieces (tests): given the quantized and the float piece, one PieceTiming per setting. */
  timePieces?: (quantized: Uint8Array, float: Uint8Array) => Promise<PieceTiming[]>;
}

export async function latencyCheck(result: Pick<CreateResult, 'model' | 'controller'>, opts: LatencyCheckOptions): Promise<LatencyFallbackSummary | null> {
  const q = findQuantizationController(result.controller);
  if (!q || !q.modules.some((m) => m.quantizer.enabled)) return null;
  const settings = resolveSettings(result.model.graph.inputs.map((i) => i.shape?.[0]), opts);
  const runs = opts.runs ?? 15;
  const early = opts.earlyStop ?? true;
  const pool = new SessionPool();
  const feedsAt = new Map(settings.map((s) => [s.batch, batchOf(opts.feeds, s.batch)]));
  const timeModels =
    opts.timeModels ??
    (async (models: readonly Uint8Array[]) => {
      await pool.keepOnly(models);
      const rows: number[][] = [];
      for (const s of settings) {
        const sessions = [];
        for (const m of models) sessions.push(await pool.get(m, s.threads));
        const n = Math.max(4, Math.round(runs / s.batch));
        const stopWhenApart = early && models.length === 2 ? { afterRuns: Math.max(2, Math.ceil(n / 3)), ratio: EARLY_STOP_RATIO } : undefined;
        // warm up only the sessions not yet run at this batch: the pool keeps the current mix's and FP32's
        const feeds = feedsAt.get(s.batch)!;
        for (const session of sessions) if (pool.warmUp(session, s.batch)) for (let w = 0; w < (s.batch > 1 ? 1 : 3); w++) await session.run(feeds);
        const r = await interleavedSessionLatencies(sessions, feeds, { runs: n, warmup: 0, stopWhenApart, clock: clockFor(s) });
        rows.push(r.map((x) => x.min));
      }
      return rows;
    });
  const pieces = new PieceTimer(settings, feedsAt, runs, early, opts.timePieces);
  try {
    const summary = await applyLatencyFallback(result.model.graph, q.modules, {
      exportBytes: () => exportCompressedModelBytes(result),
      timeModels,
      margin: opts.margin,
      maxBlocks: opts.maxBlocks,
      clearBand: early ? CLEAR_BAND : undefined,
      timeBlockPiece: (opts.perBlock ?? true) ? (p) => pieces.time(p) : undefined,
    });
    q.latencyFallback = summary;
    return summary;
  } finally {
    await pool.keepOnly([]);
  }
}

/** One intra-op thread: CPU time (load from other processes does not count); more threads: wall time. */
export const clockFor = (s: LatencySetting): 'cpu' | 'wall' => (s.threads === 1 ? 'cpu' : 'wall');

/**
 * Times a block's piece quantized vs float at every setting. The pieces are fed what FP32 computes at the
 * block's input (one ORT run of the FP32 export per batch, for every block's input at once) and timed
 * interleaved (clockFor). Pieces are small, so their sessions are
 * made and released per timing.
 */
class PieceTimer {
  private readonly activations = new Map<number, Record<string, NdArray>>();
  private readonly cut = new Map<number, [Uint8Array, Uint8Array]>();

  constructor(
    private readonly settings: readonly LatencySetting[],
    private readonly feedsAt: Map<number, Record<string, NdArray> | NdArray>,
    private readonly runs: number,
    private readonly early: boolean,
    private readonly fake?: (quantized: Uint8Array, float: Uint8Array) => Promise<PieceTiming[]>,
  ) {}

  async time(p: BlockPiece): Promise<PieceTiming[]> {
    const first = await this.inputsAt(p, this.settings[0].batch);
    let pair = this.cut.get(p.block);
    if (!pair) {
      // the batch is symbolic when the settings time several batch sizes
      const batches = new Set(this.settings.map((s) => s.batch)).size;
      const inputs = p.inputs.map((name) => ({ name, shape: first[name].shape.map((d, k) => (k === 0 && batches > 1 ? null : d)) }));
      const where = `latency check, block ${p.block}`;
      // both pieces end after their output's Q/DQ pair (the next block's input quantizer): the quantized one
      // fuses it into its last op, the float one pays it, as each would in the whole model
      pair = [extractSubgraph(p.quantized, inputs, p.outputs, { throughQdq: true, where }), extractSubgraph(p.float, inputs, p.outputs, { throughQdq: true, where })];
      this.cut.set(p.block, pair);
    }
    if (this.fake) return this.fake(pair[0], pair[1]);
    const out: PieceTiming[] = [];
    for (const s of this.settings) {
      const feeds = Object.fromEntries(p.inputs.map((name) => [name, this.activationsAt(s.batch)[name]]));
      const sessions = [await timingSession(pair[0], s.threads), await timingSession(pair[1], s.threads)];
      try {
        const n = Math.max(4, Math.round(this.runs / s.batch));
        const stopWhenApart = this.early ? { afterRuns: Math.max(2, Math.ceil(n / 3)), ratio: EARLY_STOP_RATIO } : undefined;
        const [q, f] = await interleavedSessionLatencies(sessions, feeds, { runs: n, warmup: s.batch > 1 ? 1 : 3, stopWhenApart, clock: clockFor(s) });
        // CPU time: the median of per-round ratios; wall time (several threads): the ratio of the mins, which load only raises
        // float only when both the ratio of minima and (CPU time) the median of per-round ratios say so:
        // a piece of a few ms is noisy even in CPU time, and a needless float block costs Q/DQ in the mix
        const minRatio = f.min / q.min;
        out.push({ quantizedMs: q.min, floatMs: f.min, ratio: clockFor(s) === 'cpu' ? Math.max(minRatio, pairedRatio(q, f)) : minRatio });
      } finally {
        for (const x of sessions) await x.release();
      }
    }
    return out;
  }

  /** The activations at every block input at `batch`, computed once per batch by the FP32 export. */
  private async inputsAt(p: BlockPiece, batch: number): Promise<Record<string, NdArray>> {
    for (const s of this.settings) {
      if (this.activations.has(s.batch)) continue;
      const feeds = this.feedsAt.get(s.batch)!;
      const modelInputs = new Set((decodeModelProto(p.fp32).graph?.input ?? []).map((i) => i.name));
      const session = await OrtSession.create(p.fp32, { intraOpThreads: 1, extraOutputs: p.cutTensors.filter((t) => !modelInputs.has(t)) });
      try {
        const out = await session.run(feeds);
        const given = 'shape' in feeds && Array.isArray(feeds.shape) ? { [session.inputNames[0]]: feeds as NdArray } : (feeds as Record<string, NdArray>);
        this.activations.set(s.batch, { ...given, ...out });
      } finally {
        await session.release();
      }
    }
    return this.activations.get(batch)!;
  }

  private activationsAt(batch: number): Record<string, NdArray> {
    return this.activations.get(batch)!;
  }
}

/**
 * ORT sessions by model bytes and thread count, kept between comparisons: the greedy pass compares the
 * current mix with one candidate after another, so the current mix's sessions (and FP32's) are reused
 * instead of re-created (graph optimization is most of a comparison's cost with 4 settings).
 */
class SessionPool {
  private readonly sessions = new Map<Uint8Array, Map<number, OrtSession>>();
  private readonly warm = new WeakMap<OrtSession, Set<number>>();

  /** True the first time `session` is asked for at `batch` (the caller then warms it up). */
  warmUp(session: OrtSession, batch: number): boolean {
    const batches = this.warm.get(session) ?? this.warm.set(session, new Set()).get(session)!;
    if (batches.has(batch)) return false;
    batches.add(batch);
    return true;
  }

  async get(model: Uint8Array, threads: number): Promise<OrtSession> {
    const byThreads = this.sessions.get(model) ?? this.sessions.set(model, new Map()).get(model)!;
    let s = byThreads.get(threads);
    if (!s) byThreads.set(threads, (s = await timingSession(model, threads)));
    return s;
  }

  /** Releases the sessions of every model not in `models`. */
  async keepOnly(models: readonly Uint8Array[]): Promise<void> {
    for (const [m, byThreads] of this.sessions) {
      if (models.includes(m)) continue;
      this.sessions.delete(m);
      for (const s of byThreads.values()) await s.release();
    }
  }
}

/** The settings to time: validated, the batch pinned to a fixed model batch, duplicates dropped. */
export function resolveSettings(batchDims: readonly (number | string | null | undefined)[], opts: Pick<LatencyCheckOptions, 'settings' | 'threads'>): LatencySetting[] {
  const asked = opts.settings ?? (opts.threads !== undefined ? [{ batch: 1, threads: opts.threads }] : DEFAULT_LATENCY_SETTINGS);
  if (asked.length === 0) throw new Error('latency check: no deploy settings to time (settings is empty)');
  const fixed = batchDims.find((d): d is number => typeof d === 'number');
  const out: LatencySetting[] = [];
  for (const s of asked) {
    for (const [k, v] of Object.entries(s)) if (!Number.isInteger(v) || v < 1) throw new Error(`latency check: ${k} must be a positive integer, got ${v}`);
    const batch = fixed ?? s.batch;
    if (!out.some((o) => o.batch === batch && o.threads === s.threads)) out.push({ batch, threads: s.threads });
  }
  return out;
}

/** `feeds` with batch `n`: its samples repeated along axis 0 (or cut), for each input. */
export function batchOf(feeds: Record<string, NdArray> | NdArray, n: number): Record<string, NdArray> | NdArray {
  const one = (a: NdArray): NdArray => {
    const b = a.shape[0];
    if (b === n) return a;
    if (!(b >= 1)) throw new Error(`latency check: the timing input has batch ${b}, cannot fill batch ${n}`);
    const per = a.data.length / b;
    const out = ndarray(a.dtype, [n, ...a.shape.slice(1)]);
    for (let i = 0; i < n; i++) (out.data as Float32Array).set((a.data as Float32Array).subarray((i % b) * per, (i % b + 1) * per), i * per);
    return out;
  };
  return 'shape' in feeds && Array.isArray(feeds.shape) ? one(feeds as NdArray) : Object.fromEntries(Object.entries(feeds as Record<string, NdArray>).map(([k, v]) => [k, one(v)]));
}
