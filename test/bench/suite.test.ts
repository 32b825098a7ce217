/**
 * npm run bench's plumbing: the --json contract (last JSON line), adapting eval:fashion's own JSON,
 * skipping parts whose inputs are absent, child runs (ok / no JSON / failing / timing out), and that the
 * printed table and docs/benchmarks.md come from the same rows.
 */
import { describe, expect, it } from 'vitest';
import { runPart } from '../../bench/suite/child.js';
import { missing, PARTS, type PartDef } from '../../bench/suite/parts.js';
import { fmt, markdown, textTable } from '../../bench/suite/report.js';
import { isPartReport, lastJsonLine, type SuiteResult } from '../../bench/suite/types.js';

const part = (over: Partial<PartDef> = {}): PartDef => ({
  name: 't',
  title: 'test part',
  script: 'none',
  args: [],
  needs: [],
  timeoutMinutes: 1,
  ...over,
});
const node = (code: string) => [process.execPath, '-e', code];
const quiet = () => {};

describe('the --json contract', () => {
  it('takes the last JSON line of stdout', () => {
    expect(lastJsonLine('hello\n{"a":1}\nprogress\n{"part":"x","rows":[]}\n\n')).toEqual({
      part: 'x',
      rows: [],
    });
    expect(lastJsonLine('no json here')).toBeNull();
    expect(lastJsonLine('{broken')).toBeNull();
    expect(isPartReport({ part: 'x', rows: [] })).toBe(true);
    expect(isPartReport({ top1: 0.9 })).toBe(false);
  });

  it("adapts eval:fashion's JSON to rows", () => {
    const fp32 = PARTS.find((p) => p.name === 'fp32')!;
    const r = fp32.adapt!({ model: 'm.onnx', samples: 10000, top1: 0.9123, seconds: 4.5, perClass: [] }, '');
    expect(r!.rows[0]).toMatchObject({ value: 91.23, unit: '%' });
    expect(r!.rows[0].metric).toContain('10000');
    expect(fp32.adapt!({ nope: 1 }, '')).toBeNull();
  });

  it("adapts bench:qat's JSON to accuracy rows with deltas against FP32 and the simulated model", () => {
    const qat = PARTS.find((p) => p.name === 'qat')!;
    const json = { fp32Engine: 0.9101, fp32Ort: 0.9101, ptq: 0.9099, ptqOrt: 0.9103, qat: 0.9107, qatOrt: 0.9105, trainSeconds: 401, samples: 30000, epochs: 3 };
    const r = qat.adapt!(json, '')!;
    [90.99, 91.03, 91.07, 91.05, 401].forEach((v, i) => expect(r.rows[i].value).toBeCloseTo(v, 9));
    expect(r.rows[2].note).toBe('Δ vs FP32 0.06 pt');
    expect(r.rows[3].note).toBe('Δ vs simulated -0.02 pt');
    expect(qat.adapt!({ top1: 0.9 }, '')).toBeNull();
  });

  it('part timeouts add up to the whole suite budget: 130 min (the sparsity and pruning parts fine-tune for 40 and 60)', () => {
    expect(PARTS.reduce((a, p) => a + p.timeoutMinutes, 0)).toBe(130);
  });
});

describe('parts', () => {
  it('every part has its own npm script, unique names, --json', () => {
    expect(new Set(PARTS.map((p) => p.name)).size).toBe(PARTS.length);
    for (const p of PARTS) expect(p.args).toContain('--json');
  });

  it('names what is missing', () => {
    expect(missing(part({ needs: [{ path: 'no/such/file.onnx', from: 'somebody' }] }))).toBe(
      'no/such/file.onnx (somebody)',
    );
    expect(missing(part({ needs: [{ path: 'package.json', from: 'x' }] }))).toBeNull();
  });
});

describe('runPart', () => {
  it('reads a PartReport from a child', async () => {
    const r = await runPart(
      part(),
      quiet,
      node(
        'console.log("working"); console.log(JSON.stringify({part:"t",rows:[{metric:"m",value:2,unit:"ms",min:1,median:2}]}))',
      ),
    );
    expect(r.status).toBe('ok');
    expect(r.rows).toEqual([{ metric: 'm', value: 2, unit: 'ms', min: 1, median: 2 }]);
    expect(r.seconds).toBeGreaterThan(0);
  });

  it('a child without a JSON line is skipped with the reason; a failing one is failed', async () => {
    const none = await runPart(part(), quiet, node('console.log("only text")'));
    expect(none.status).toBe('skipped');
    expect(none.reason).toMatch(/^not available yet: .*printed no JSON result line/);
    expect(none.rows).toEqual([]);
    const bad = await runPart(part(), quiet, node('process.exit(3)'));
    expect(bad).toMatchObject({ status: 'failed', reason: 'exit code 3' });
  });

  it('stops a child at its timeout', async () => {
    const r = await runPart(part({ timeoutMinutes: 0.01 }), quiet, node('setTimeout(() => {}, 60000)'));
    expect(r).toMatchObject({ status: 'failed', reason: 'timed out after 0.01 min' });
    expect(r.seconds).toBeLessThan(10);
  });
});

describe('report', () => {
  const result: SuiteResult = {
    startedAt: '2026-01-01T00:00:00.000Z',
    seconds: 90,
    machine: { nproc: 2, cpu: 'cpu', memoryGiB: 8, node: 'v20', commit: 'abc' },
    parts: [
      {
        part: 'ocr',
        title: 'OCR — x',
        status: 'ok',
        command: 'npm run bench:ocr -- --json',
        seconds: 3,
        rows: [
          { metric: 'top-1', value: 99.5, unit: '%' },
          { metric: 'latency', value: 2.5, unit: 'ms', min: 2, median: 2.5 },
          { metric: 'ratio', value: 4, unit: '×', min: 4.5, median: 4 },
        ],
      },
      {
        part: 'quantize',
        title: 'INT8 — y',
        status: 'skipped',
        reason: 'not available yet: bench/quantize.bench.ts',
        command: 'npm run bench:quantize -- --json',
        seconds: 0,
        rows: [],
      },
    ],
  };

  it('formats values with units', () => {
    expect(fmt(99.5, '%')).toBe('99.50%');
    expect(fmt(2.5, 'ms')).toBe('2.50 ms');
    expect(fmt(4, '×')).toBe('4.00×');
    expect(fmt(undefined)).toBe('');
  });

  it('the printed table and the docs carry the same cells, the machine and the commands', () => {
    const text = textTable(result);
    const doc = markdown(result, ['npm install', 'npm run bench -- --write-docs']);
    for (const cell of [
      '99.50%',
      '2.00 ms',
      '2.50 ms',
      '4.50×',
      '4.00×',
      'not available yet: bench/quantize.bench.ts',
    ]) {
      expect(text).toContain(cell);
      expect(doc).toContain(cell);
    }
    expect(doc).toContain('- nproc: 2');
    expect(doc).toContain('- node: v20');
    expect(doc).toContain('npm run bench -- --write-docs');
    expect(doc).toContain('`npm run bench:ocr -- --json`');
  });
});

it('a child whose last JSON line is not a PartReport says so', async () => {
  const r = await runPart(part(), quiet, node('console.log(JSON.stringify({ accuracy: 0.9 }))'));
  expect(r.status).toBe('skipped');
  expect(r.reason).toMatch(/not a PartReport/);
});
