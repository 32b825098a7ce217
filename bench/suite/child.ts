/** Runs one part's npm script as a child: stderr streams through, stdout is kept; wall time and a timeout. */
import { spawn } from 'node:child_process';
import type { PartDef } from './parts.js';
import { isPartReport, lastJsonLine, type PartResult } from './types.js';

export const commandOf = (p: PartDef) => `npm run ${p.script} -- ${p.args.join(' ')}`.trim();

/** `argv` replaces the npm script (tests run a plain node command through the same path). */
export async function runPart(
  p: PartDef,
  echo: (s: string) => void,
  argv = ['npm', 'run', '-s', p.script, '--', ...p.args],
): Promise<PartResult & { log: string }> {
  const base = { part: p.name, title: p.title, command: commandOf(p) };
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n'))
      if (line.trim() && !/^npm warn/i.test(line)) echo(`  [${p.name}] ${line}`);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) process.kill(-child.pid, 'SIGTERM'); // the part's own process group
  }, p.timeoutMinutes * 60_000);
  timer.unref();
  const code: number | null = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  const log = stdout.split('\n').slice(-40).join('\n');
  if (timedOut)
    return {
      ...base,
      status: 'failed',
      reason: `timed out after ${p.timeoutMinutes} min`,
      rows: [],
      seconds,
      log,
    };
  if (code !== 0) return { ...base, status: 'failed', reason: `exit code ${code}`, rows: [], seconds, log };
  const json = lastJsonLine(stdout);
  const report = p.adapt ? p.adapt(json, stdout) : isPartReport(json) ? json : null;
  if (!report) {
    const reason = `not available yet: \`${commandOf(p)}\` ran but printed ${json === null ? 'no JSON result line' : 'a last JSON line that is not a PartReport {part, rows} (bench/suite/types.ts)'} (see log in latest.json)`;
    return { ...base, status: 'skipped', reason, rows: [], seconds, log };
  }
  return { ...base, status: 'ok', rows: report.rows, seconds, log };
}
