/**
 * bench:engine's training side-by-side tables (bench/engine/train-report.ts): the ratios are PyTorch-at-2-
 * threads time over ours (min/min, median/median), the CPU ratio only for one-thread paths, and
 * --write-docs replaces its own marked section of docs/benchmarks.md, leaving the rest alone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownSection, rowsOf, writeDocsSection } from '../../bench/engine/train-report.js';
import { TRAIN_MODELS } from '../../bench/engine/train-vs-torch.js';

const spec = TRAIN_MODELS[0]; // Fashion CNN, batch 64
const result = {
  spec,
  note: null,
  columns: [
    { what: 'ORT graph, 1 thread', ms: [100, 80, 90], cpu: [70, 60, 65] },
    { what: 'ORT graph, 2 threads', ms: [50, 60, 40], cpu: [90, 95, 100] },
    { what: 'PyTorch, 1 thread', ms: [70, 75, 72], cpu: [130, 130, 130] },
    { what: 'PyTorch, 2 threads', ms: [40, 30, 36], cpu: [80, 80, 80] },
    { what: 'tfjs engine (wasm), 1 thread', ms: [], cpu: [] },
  ],
};

describe('bench:engine training tables', () => {
  it('ratios to PyTorch 2 threads (min/min, median/median) and the 1-thread CPU ratio, by hand', () => {
    const rows = rowsOf(result);
    expect(rows.map((r) => r[0])).toEqual([
      'ORT graph, 1 thread',
      'ORT graph, 2 threads',
      'PyTorch, 1 thread',
      'PyTorch, 2 threads',
    ]);
    // ORT 1 thread: min 80, median 90; PyTorch 2 threads: min 30, median 36 → 30/80, 36/90; CPU 65 vs 130 → 2.00×
    expect(rows[0]).toEqual([
      'ORT graph, 1 thread',
      '3',
      '80.0',
      '90.0',
      '711',
      '0.38×',
      '0.40×',
      '65.0',
      '2.00×',
    ]);
    // ORT 2 threads: min 40, median 50 → 30/40 = 0.75×, 36/50 = 0.72×; no CPU ratio at two threads
    expect(rows[1]).toEqual([
      'ORT graph, 2 threads',
      '3',
      '40.0',
      '50.0',
      '1280',
      '0.75×',
      '0.72×',
      '95.0',
      '',
    ]);
    expect(rows[3].slice(5, 7)).toEqual(['1.00×', '1.00×']);
  });

  it('without a PyTorch column the ratios say n/a', () => {
    const rows = rowsOf({ ...result, columns: result.columns.slice(0, 2) });
    expect(rows[0].slice(5)).toEqual(['n/a', 'n/a', '65.0', 'n/a']);
  });

  it('--write-docs replaces only its own section (and appends it the first time)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-train-docs-'));
    const path = join(dir, 'benchmarks.md');
    writeFileSync(path, '# Benchmarks\n\nother part\n');
    writeDocsSection(markdownSection([result], ['header line']), path);
    const first = readFileSync(path, 'utf8');
    expect(first.startsWith('# Benchmarks\n\nother part\n\n<!-- bench:engine-train start')).toBe(true);
    expect(first).toContain('| ORT graph, 1 thread | 3 | 80.0 | 90.0 | 711 | 0.38× | 0.40× | 65.0 | 2.00× |');
    writeFileSync(path, `${first}\ntrailing part\n`);
    writeDocsSection(
      markdownSection([{ ...result, columns: result.columns.slice(1) }], ['second run']),
      path,
    );
    const second = readFileSync(path, 'utf8');
    expect(second.match(/bench:engine-train start/g)).toHaveLength(1);
    expect(second).toContain('second run');
    expect(second).not.toContain('| ORT graph, 1 thread |');
    expect(second.endsWith('trailing part\n')).toBe(true);
  });
});
