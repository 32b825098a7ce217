/**
 * `npm test` as a newcomer sees it (issue 10, item 7): quiet — no TF.js "Hi, looks like you are running
 * TensorFlow.js in Node.js" banner per test file, no onnxruntime warnings on stdout — and sized for a
 * loaded 2-core CI machine: no test sets a timeout shorter than 120 s (one that passed alone in 0.9 s
 * timed out at 30 s there), and the default is 300 s.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';

const MIN_TIMEOUT_MS = 120_000;

function testFiles(dir = 'test'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Numeric timeouts passed as the last argument of it/test/beforeAll…: `}, 60_000);` or `},\n    60_000,\n  );`. */
function explicitTimeouts(source: string): number[] {
  return [...source.matchAll(/^\s*\}\s*,\s*([0-9][0-9_]*)\s*,?\s*\)/gm)].map((m) => Number(m[1].replace(/_/g, '')));
}

describe('npm test hygiene', () => {
  it('the default test and hook timeouts are 300 s', () => {
    expect(config.test?.testTimeout).toBe(300_000);
    expect(config.test?.hookTimeout).toBe(300_000);
  });

  it('finds explicit timeouts in both call styles', () => {
    expect(explicitTimeouts("it('a', async () => {\n  x();\n}, 30_000);\nit('b', () => {\n  y();\n  },\n  60_000,\n);\nsetTimeout(() => {}, 60000);")).toEqual([30_000, 60_000]);
  });

  it('no test or hook sets a timeout below 120 s', () => {
    const short = testFiles().flatMap((f) => explicitTimeouts(readFileSync(f, 'utf8')).filter((t) => t >= 1000 && t < MIN_TIMEOUT_MS).map((t) => `${f}: ${t} ms`));
    expect(short).toEqual([]);
  });

  it('test output carries no TF.js banner and no onnxruntime warnings (files that printed both)', () => {
    const files = ['test/quantization/fake-quantize-export.test.ts', 'test/onnx/quantized-export-fq.test.ts'];
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...files], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
    const output = r.stdout + r.stderr;
    expect(output).toMatch(/tests: \d+ passed, 0 failed/);
    expect(output).not.toContain('Hi, looks like you are running TensorFlow.js in Node.js');
    expect(output).not.toMatch(/\[W:onnxruntime/);
  });
});
