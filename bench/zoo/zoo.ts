/** The real-model zoo of `npm run get-models` (.cache/zoo) for benchmarks: paths, data, interleaved latency. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NdArray } from '../../src/data/index.js';
import { writeFileAtomic } from '../../src/exporters/onnx/save.js';
import { countOpTypes, OrtSession, saveOptimizedModel, summarize, type BenchmarkResult } from '../../src/runtime/index.js';

export const ZOO_DIR = process.env.NNCF_TS_ZOO ?? '.cache/zoo';

export interface ZooEntry { model: string; style: 'folded' | 'bn'; batch: 'dyn' | 'b1'; file: string }

/** The zoo's manifest, or null (with the reason) when `npm run get-models` has not run. */
export function zooManifest(): { entries: ZooEntry[] } | { missing: string } {
  const m = `${ZOO_DIR}/manifest.json`;
  if (!existsSync(m)) return { missing: `${m} not found: run 'npm run get-models' (installs python3-torch with apt, exports the zoo)` };
  return { entries: (JSON.parse(readFileSync(m, 'utf8')) as { models: ZooEntry[] }).models };
}

/** `n` seeded pseudo-random images [n,3,224,224] ~ N(0,1) (ImageNet-normalized scale). */
export function randomImages(n: number, seed: number, size = 224): NdArray {
  const data = new Float32Array(n * 3 * size * size);
  let s = seed >>> 0 || 1;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  for (let i = 0; i < data.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u()));
    const t = 2 * Math.PI * u();
    data[i] = r * Math.cos(t);
    if (i + 1 < data.length) data[i + 1] = r * Math.sin(t);
  }
  return { dtype: 'float32', shape: [n, 3, size, size], data } as NdArray;
}

export interface LatencyPair { fp32: BenchmarkResult; int8: BenchmarkResult; speedupMedian: number; speedupMin: number }

/** FP32 and INT8 latency at batch `batch`, `rounds` rounds alternating FP32/INT8 runs (so noise hits both alike). */
export async function interleavedLatency(fp32: Uint8Array, int8: Uint8Array, opts: { batch?: number; threads?: number; runs?: number; warmup?: number } = {}): Promise<LatencyPair> {
  const batch = opts.batch ?? 1;
  const x = randomImages(batch, 7);
  const sessions = await Promise.all([fp32, int8].map((m) => OrtSession.create(m, { intraOpThreads: opts.threads ?? 1, interOpThreads: 1, graphOptimizationLevel: 'all' })));
  const times: number[][] = [[], []];
  try {
    for (let i = 0; i < (opts.warmup ?? 5); i++) for (const s of sessions) await s.run(x);
    for (let i = 0; i < (opts.runs ?? 40); i++)
      for (let k = 0; k < 2; k++) {
        const t0 = process.hrtime.bigint();
        await sessions[k].run(x);
        times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
  } finally {
    for (const s of sessions) await s.release();
  }
  const [f, q] = times.map(summarize);
  return { fp32: f, int8: q, speedupMedian: f.median / q.median, speedupMin: f.min / q.min };
}

/** Replaces the docs/benchmarks.md section between `<!-- NAME start` and `<!-- NAME end -->` (appends it when absent), atomically. */
export function writeDocsSection(name: string, section: string, path = 'docs/benchmarks.md'): void {
  const doc = readFileSync(path, 'utf8');
  const re = new RegExp(`<!-- ${name} start[\\s\\S]*?<!-- ${name} end -->`);
  writeFileAtomic(path, new TextEncoder().encode(re.test(doc) ? doc.replace(re, () => section) : `${doc.trimEnd()}\n\n${section}\n`));
}

/**
 * Whether ORT runs the same graph for both models: op types and counts of their optimized graphs (level
 * 'all', as the latency timings run) are equal. A latency-checked export with every block float should be
 * (its 8-bit weights folded at load), and then its timing against FP32 is noise, not a speed-up or a slowdown.
 */
export async function sameOrtGraph(a: Uint8Array, b: Uint8Array): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-graph-'));
  try {
    const counts = async (m: Uint8Array, name: string) => {
      const path = join(dir, name);
      // ORT warns that an 'all'-level graph is CPU-specific: it is only counted here, never kept
      await saveOptimizedModel(m, path, { graphOptimizationLevel: 'all' });
      return JSON.stringify([...(await countOpTypes(path))].sort());
    };
    return (await counts(a, 'a.onnx')) === (await counts(b, 'b.onnx'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

