/**
 * Vitest setup (every test file): with NNCF_TS_TEST_CPU=<file> set, appends "<cpu seconds>\t<test file>" for
 * each test file — the CPU this process spent on it from this setup to its last hook (the file's imports,
 * hooks and tests; not child processes it spawns). On a loaded machine wall-clock times are noise; CPU time
 * is what a test costs. Does nothing without the variable.
 */
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, expect } from 'vitest';

const out = process.env.NNCF_TS_TEST_CPU;
if (out) {
  const start = process.cpuUsage();
  afterAll(() => {
    const used = process.cpuUsage(start);
    const file = relative(process.cwd(), expect.getState().testPath ?? '?');
    appendFileSync(out, `${((used.user + used.system) / 1e6).toFixed(2)}\t${file}\n`);
  });
}
