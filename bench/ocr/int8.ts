/**
 * INT8 PTQ of the PP-OCR classifier through the framework's own command (`nncf-ts compress` with
 * bench/ocr/cls-int8.json, calibration on a rendered set of another seed), timed wall to wall. When
 * the framework cannot quantize or export this model yet, the reason is its first error line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

export const CLS_INT8_CONFIG = 'bench/ocr/cls-int8.json';

export type Int8Outcome =
  { ok: true; path: string; seconds: number } | { ok: false; reason: string; seconds: number };

export function compressCommand(model: string, calib: string, out: string): string[] {
  return [
    'src/cli/main.ts',
    'compress',
    '--model',
    model,
    '--config',
    CLS_INT8_CONFIG,
    '--data',
    calib,
    '--out',
    out,
  ];
}

export function quantizeCls(model: string, calib: string, out: string): Int8Outcome {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...compressCommand(model, calib, out)], {
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status === 0 && existsSync(out)) return { ok: true, path: out, seconds };
  const msg = `${r.stderr ?? ''}\n${r.stdout ?? ''}`
    .split('\n')
    .find((l) => l.trim() && !/^npm warn/i.test(l));
  return {
    ok: false,
    reason: `nncf-ts compress: ${msg?.replace(/^nncf-ts:\s*/, '') ?? `exit ${r.status}`}`,
    seconds,
  };
}

export const fileMB = (p: string) => statSync(p).size / 2 ** 20;
