/**
 * The Debian fonts `npm run get-data` puts in `.cache/data/fonts/` (DejaVu, Liberation: Latin; WenQuanYi
 * Micro Hei, AR PL UMing: CJK + Latin), registered with Skia through @napi-rs/canvas under their file names.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

export interface OcrFont {
  /** Family name it is registered under (unique per file). */
  family: string;
  file: string;
  /** Has Chinese glyphs (a .ttc collection from the CJK packages). */
  cjk: boolean;
}

export const DEFAULT_FONTS_DIR = '.cache/data/fonts';

/** Fonts whose file name tells a CJK face; every other face is used for Latin text only. */
const CJK_FILE = /wqy|uming|ukai|noto.*cjk|droid.*fallback/i;
/** Faces left out: monospace and narrow variants render text lines unlike the model's training data. */
const SKIP_FILE = /mono|narrow/i;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Finds and registers the fonts under `dir`; throws a clear error when there are none. */
export function loadFonts(dir = DEFAULT_FONTS_DIR): OcrFont[] {
  let files: string[];
  try {
    files = walk(dir);
  } catch {
    throw new Error(
      `no fonts at ${dir}: run 'npm run get-data -- fonts' (or 'bash scripts/get-data.sh fonts') first`,
    );
  }
  files = files.filter((f) => /\.(ttf|ttc|otf)$/i.test(f) && !SKIP_FILE.test(basename(f))).sort();
  const fonts: OcrFont[] = [];
  for (const file of files) {
    const family = `ocr-${basename(file).replace(/\.[^.]+$/, '')}`;
    if (!GlobalFonts.registerFromPath(file, family))
      throw new Error(`@napi-rs/canvas could not load font ${file}`);
    fonts.push({ family, file, cjk: CJK_FILE.test(file) });
  }
  if (!fonts.some((f) => !f.cjk)) throw new Error(`no Latin font found under ${dir}`);
  return fonts;
}
