/** The machine a bench ran on: what `docs/benchmarks.md` states next to the table. */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function tryRun(cmd: string): string {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string })
      .version;
  } catch {
    return 'not installed';
  }
}

export function machineInfo(): Record<string, string | number> {
  return {
    nproc: Number(tryRun('nproc')) || os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    onnxruntimeNode: pkgVersion('onnxruntime-node'),
    tfjsCore: pkgVersion('@tensorflow/tfjs-core'),
    commit: tryRun('git rev-parse --short HEAD'),
    // files the run may have used that are not in that commit (changed, or new and not ignored)
    uncommittedFiles: tryRun('git status --porcelain --untracked-files=all').split('\n').filter(Boolean).length,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}
