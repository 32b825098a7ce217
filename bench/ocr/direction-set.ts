/**
 * The labelled PP-OCR direction set: seeded text lines, each rendered upright (label 0, class "0") and
 * turned by 180° (label 1, class "180"), preprocessed as the cls model expects ([N,3,48,192] float32).
 * Saved as `x.npy` + `labels.npy` (int64) + `meta.json` (text, font, script per sample) in one folder.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Random, ndarray, readNpy, writeNpy, type NdArray } from '../../src/data/index.js';
import { writeFileAtomic } from '../../src/data/fs.js';
import { loadFonts, DEFAULT_FONTS_DIR } from './fonts.js';
import { CLS_SHAPE, preprocessCls } from './preprocess.js';
import { renderLine, rotate180 } from './render.js';
import { chineseAlphabet, textLine, type Script } from './text.js';

export const DEFAULT_SET_DIR = '.cache/data/ocr-direction';
export const DEFAULT_KEYS = '.cache/data/ocr-models/ppocr_keys_v1.txt';
/** Bumped whenever rendering or preprocessing changes, so that a cached set made by older code is remade. */
export const PIPELINE_VERSION = 5;

export interface DirectionSetOptions {
  /** Number of text lines; the set has twice as many samples (each line upright and rotated). */
  lines: number;
  seed: number;
  /** Share of Chinese lines when a CJK font exists (default 0.5). */
  cjkShare?: number;
  fontsDir?: string;
  keysPath?: string;
}

export interface SampleMeta {
  text: string;
  font: string;
  script: Script;
  label: 0 | 1;
}

export interface DirectionSet {
  x: NdArray<'float32'>;
  labels: NdArray<'int64'>;
  meta: { version: number; seed: number; lines: number; samples: SampleMeta[] };
}

export function makeDirectionSet(o: DirectionSetOptions): DirectionSet {
  const fonts = loadFonts(o.fontsDir ?? DEFAULT_FONTS_DIR);
  const latinFonts = fonts;
  const cjkFonts = fonts.filter((f) => f.cjk);
  const alphabet = cjkFonts.length ? chineseAlphabet(o.keysPath ?? DEFAULT_KEYS) : [];
  const share = cjkFonts.length ? (o.cjkShare ?? 0.5) : 0;
  const rng = new Random(o.seed);
  const n = 2 * o.lines;
  const per = CLS_SHAPE[0] * CLS_SHAPE[1] * CLS_SHAPE[2];
  const x = ndarray('float32', [n, ...CLS_SHAPE]);
  const labels = ndarray('int64', [n]);
  const samples: SampleMeta[] = [];
  for (let i = 0; i < o.lines; i++) {
    const script: Script = rng.float() < share ? 'cjk' : 'latin';
    const pool = script === 'cjk' ? cjkFonts : latinFonts;
    const font = pool[rng.int(pool.length)];
    const text = textLine(rng, script, alphabet);
    const upright = renderLine(text, font.family, rng);
    preprocessCls(upright, x.data, 2 * i * per);
    preprocessCls(rotate180(upright), x.data, (2 * i + 1) * per);
    labels.data[2 * i] = 0n;
    labels.data[2 * i + 1] = 1n;
    const f = font.family.replace(/^ocr-/, '');
    samples.push({ text, font: f, script, label: 0 }, { text, font: f, script, label: 1 });
  }
  return { x, labels, meta: { version: PIPELINE_VERSION, seed: o.seed, lines: o.lines, samples } };
}

export async function saveDirectionSet(set: DirectionSet, dir = DEFAULT_SET_DIR): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeNpy(join(dir, 'x.npy'), set.x);
  await writeNpy(join(dir, 'labels.npy'), set.labels);
  await writeFileAtomic(join(dir, 'meta.json'), JSON.stringify(set.meta));
}

/** True when `dir` holds a set made by this code with these lines and seed. */
export async function isCurrentSet(dir: string, lines: number, seed: number): Promise<boolean> {
  try {
    const m = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Partial<DirectionSet['meta']>;
    return m.version === PIPELINE_VERSION && m.lines === lines && m.seed === seed;
  } catch {
    return false;
  }
}

export async function loadDirectionSet(dir = DEFAULT_SET_DIR): Promise<DirectionSet> {
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as DirectionSet['meta'];
  const x = (await readNpy(join(dir, 'x.npy'))) as NdArray<'float32'>;
  const labels = (await readNpy(join(dir, 'labels.npy'))) as NdArray<'int64'>;
  if (
    x.dtype !== 'float32' ||
    labels.dtype !== 'int64' ||
    x.shape[0] !== labels.shape[0] ||
    x.shape[0] !== meta.samples.length
  )
    throw new Error(
      `${dir}: inconsistent direction set (x ${x.dtype}[${x.shape}], labels ${labels.dtype}[${labels.shape}], ${meta.samples.length} meta rows)`,
    );
  return { x, labels, meta };
}

/** The set of `lines` lines and `seed` cached in `root/<lines>-<seed>`: loaded when current, else made and saved. */
export async function cachedDirectionSet(root: string, lines: number, seed: number): Promise<DirectionSet> {
  const dir = join(root, `${lines}-${seed}`);
  if (await isCurrentSet(dir, lines, seed)) return loadDirectionSet(dir);
  const set = makeDirectionSet({ lines, seed });
  await saveDirectionSet(set, dir);
  return set;
}
