/**
 * npm run data:ocr-direction -- [--lines 1000] [--seed 20240] [--out .cache/data/ocr-direction]
 *
 * Renders the labelled PP-OCR direction set (each line upright = label 0 and turned 180° = label 1) and
 * saves x.npy [2·lines,3,48,192] float32, labels.npy int64 and meta.json. Needs `npm run get-data`
 * (fonts, ocr-models).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SET_DIR, makeDirectionSet, saveDirectionSet } from './direction-set.js';

export const DEFAULT_LINES = 1000;
export const DEFAULT_SEED = 20240;

export async function makeAndSave(lines = DEFAULT_LINES, seed = DEFAULT_SEED, out = DEFAULT_SET_DIR) {
  const t0 = performance.now();
  const set = makeDirectionSet({ lines, seed });
  await saveDirectionSet(set, out);
  const cjk = set.meta.samples.filter((s) => s.script === 'cjk').length / 2;
  return { set, seconds: (performance.now() - t0) / 1000, cjkLines: cjk };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { lines: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
  });
  const lines = values.lines ? Number(values.lines) : DEFAULT_LINES;
  const seed = values.seed ? Number(values.seed) : DEFAULT_SEED;
  if (!Number.isInteger(lines) || lines < 1)
    throw new Error(`--lines must be a positive integer, got ${values.lines}`);
  const out = values.out ?? DEFAULT_SET_DIR;
  const { set, seconds, cjkLines } = await makeAndSave(lines, seed, out);
  console.log(
    `${out}: ${set.x.shape[0]} samples [${set.x.shape}] (${cjkLines} Chinese + ${lines - cjkLines} Latin lines, seed ${seed}) in ${seconds.toFixed(1)} s`,
  );
}
