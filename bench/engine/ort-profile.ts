/** ORT profiling for the bench scripts: a session that records per-node kernel times, and its events read back. */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, basename } from 'node:path';
import * as ort from 'onnxruntime-node';

export type KernelEvent = { cat: string; name: string; dur: number; args?: { op_name?: string } };

/** A CPU session with profiling on, writing `<prefix>_<date>.json`. */
export function profilingSession(model: Uint8Array, threads: number, prefix: string, extra: ort.InferenceSession.SessionOptions = {}) {
  return ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    enableProfiling: true,
    profileFilePrefix: prefix,
    ...extra,
  });
}

/** Ends profiling, releases the session and returns its node kernel-time events (the file is removed). */
export async function kernelEvents(session: ort.InferenceSession, prefix: string): Promise<KernelEvent[]> {
  session.endProfiling();
  await session.release();
  // onnxruntime-node writes `<prefix>_<date>.json` and does not return its name.
  const dir = dirname(prefix);
  const found = readdirSync(dir).filter((f) => f.startsWith(`${basename(prefix)}_`));
  if (found.length !== 1) throw new Error(`expected one profile file ${prefix}_*.json, found ${found.length}`);
  const file = `${dir}/${found[0]}`;
  const events = (JSON.parse(readFileSync(file, 'utf8')) as KernelEvent[]).filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  rmSync(file, { force: true });
  return events;
}
