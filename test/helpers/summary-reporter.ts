import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Prints the plain closing line "tests: N passed, N failed, N skipped" that CI reads. A test file that
 * fails outside any test (import error, failing beforeAll) and unhandled errors count as failures.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      let failedInModule = 0;
      for (const t of mod.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedInModule++;
        else skipped++;
      }
      if (failedInModule === 0 && (mod.state() === 'failed' || mod.errors().length > 0)) failedInModule = 1;
      failed += failedInModule;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
