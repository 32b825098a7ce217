import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { allCases, runCase, type CaseResult } from './conformance-runner.js';

/**
 * libonnx-testdata node tests (scripts/get-data.sh onnx-testdata) for every case whose ops the
 * engine registers. Cases that fail are listed by name so a regression is visible at once.
 */
const cases = allCases();

/** Known failures, each with its reason; the suite fails if any other supported case fails. */
const KNOWN_FAILURES = new Map<string, string>([
  ['test_cast_FLOAT_to_BFLOAT16', 'reference data truncates to bfloat16; the engine rounds to nearest even as current ONNX specifies'],
  ['test_castlike_BFLOAT16_to_FLOAT', 'test data feeds `like` with shape [1] where the model declares [3,4]'],
  ['test_castlike_BFLOAT16_to_FLOAT_expanded', 'test data feeds `like` with shape [1] where the model declares [3,4]'],
  ['test_castlike_FLOAT_to_BFLOAT16', 'test data feeds `like` with shape [1] where the model declares [3,4]'],
  ['test_castlike_FLOAT_to_BFLOAT16_expanded', 'test data feeds `like` with shape [1] where the model declares [3,4]'],
]);

for (const backend of ['wasm', 'cpu'] as const) {
  describe.skipIf(cases.length === 0)(`ONNX node conformance on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('passes every node test for supported ops', () => {
      const results: CaseResult[] = cases.map((c) => runCase(c));
      const supported = results.filter((r) => r.status !== 'unsupported');
      const failed = supported.filter((r) => r.status === 'fail');
      const passed = supported.length - failed.length;
      console.log(`[${backend}] node tests: ${passed}/${supported.length} supported cases pass (${cases.length} cases in total)`);
      for (const f of failed) console.log(`  ${KNOWN_FAILURES.has(f.name) ? 'known failure' : 'FAIL'} ${f.name}: ${f.detail}`);
      expect(failed.filter((f) => !KNOWN_FAILURES.has(f.name)).map((f) => `${f.name}: ${f.detail}`)).toEqual([]);
    });
  });
}
