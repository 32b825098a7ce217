import { defineConfig } from 'vitest/config';

/** The TF.js banner tfjs-backend-cpu prints once per process (so once per test file): tfjs-node is not used on purpose (README). */
const TFJS_NODE_BANNER = 'Hi, looks like you are running TensorFlow.js in Node.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Sized for a loaded 2-core CI machine: a test that takes 0.9 s alone took over 30 s there. No test
    // sets a shorter timeout (test/examples/test-timeouts.test.ts checks); a hang still fails in 5 minutes.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // tfjs keeps one global engine per process; forks isolate test files from each other.
    // Two workers: vitest's default is cores − 1, i.e. ONE worker on the 2-core CI machine, half of it idle.
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['./test/helpers/quiet-ort.ts', './test/helpers/cpu-log.ts'],
    onConsoleLog: (log) => !log.includes(TFJS_NODE_BANNER),
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
