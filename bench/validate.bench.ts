/**
 * Times `nncf-ts validate` on 100 config files (target: under 2 s for the whole command,
 * process start included). Run with `npm run bench:validate`.
 *
 * The 100 files are the test fixtures (realistic JSONC configs) copied round-robin into a
 * temporary folder, with every tenth copy broken so that error reporting is timed too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'configs');
const FILE_COUNT = 100;
const RUNS = 5;
const TARGET_MS = 2000;

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

const sources = jsonFiles(FIXTURES).filter((file) => !file.includes('/invalid/'));
const workDir = mkdtempSync(join(tmpdir(), 'nncf-validate-bench-'));
const files = Array.from({ length: FILE_COUNT }, (_, i) => {
  const source = sources[i % sources.length];
  let text = readFileSync(source, 'utf8');
  if (i % 10 === 9) text = text.replace('"algorithm": "', '"algorithm": "x'); // an unknown algorithm name
  const target = join(workDir, `${String(i).padStart(3, '0')}-${basename(source)}`);
  writeFileSync(target, text);
  return target;
});

const cli = join(ROOT, 'bin', 'nncf-ts.js');
const times: number[] = [];
let lastStatus: number | null = null;
let okLines = 0;
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, 'validate', ...files], { encoding: 'utf8' });
  times.push(performance.now() - started);
  lastStatus = result.status;
  okLines = result.stdout.split('\n').filter((line) => line.startsWith('OK ')).length;
  if (result.status !== 0 && result.status !== 1) {
    process.stderr.write(result.stderr);
    throw new Error(`nncf-ts validate exited with ${result.status}`);
  }
}
rmSync(workDir, { recursive: true, force: true });

times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`nncf-ts validate on ${FILE_COUNT} files (${okLines} OK, exit ${lastStatus}), ${RUNS} runs`);
console.log(
  `  wall time: median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms`,
);
console.log(`  target < ${TARGET_MS} ms: ${median < TARGET_MS ? 'met' : 'MISSED'}`);
if (median >= TARGET_MS) process.exitCode = 1;
