/**
 * Seeded text lines for the direction set: Chinese lines of common characters (GB2312 level 1, the 3,755
 * most used hanzi, kept only if the PP-OCR dictionary has them) and Latin lines (words, numbers, dates,
 * prices, codes). The model was trained mostly on Chinese text lines, so both kinds are measured.
 */
import { readFileSync } from 'node:fs';
import type { Random } from '../../src/data/index.js';

export type Script = 'cjk' | 'latin';

/** GB2312 level-1 hanzi, decoded from their code points (rows 0xB0–0xD7, cells 0xA1–0xFE). */
export function gb2312Level1(): string[] {
  const dec = new TextDecoder('gbk');
  const out: string[] = [];
  for (let hi = 0xb0; hi <= 0xd7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const ch = dec.decode(new Uint8Array([hi, lo]));
      if (/^\p{Script=Han}$/u.test(ch)) out.push(ch);
    }
  }
  return out;
}

/** Common hanzi that the recognizer dictionary (`ppocr_keys_v1.txt`, one char a line) knows. */
export function chineseAlphabet(keysPath?: string): string[] {
  const level1 = gb2312Level1();
  if (!keysPath) return level1;
  const keys = new Set(readFileSync(keysPath, 'utf8').split('\n'));
  return level1.filter((c) => keys.has(c));
}

const WORDS = (
  'the of and to in is for on with as by at from this that are was be or an it not have more new all ' +
  'about can your will one time price total date page table order number account address phone email ' +
  'name city street road station market hotel bank school hospital office center north south east west ' +
  'open close exit entrance room floor level parking service free sale online store shop food coffee tea ' +
  'water ticket train bus airport invoice receipt amount paid cash card tax discount quantity item model ' +
  'serial batch made china product warning danger caution please thank you welcome hello world data ' +
  'report summary chapter section figure result method system network image text line word letter'
).split(' ');

const CAPS = (w: string) => w[0].toUpperCase() + w.slice(1);
const digits = (rng: Random, n: number) => Array.from({ length: n }, () => rng.int(10)).join('');

function latinLine(rng: Random): string {
  switch (rng.int(5)) {
    case 0: // a date and time
      return `${2000 + rng.int(30)}-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')} ${String(rng.int(24)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}`;
    case 1: // a price
      return `${CAPS(WORDS[rng.int(WORDS.length)])}: $${1 + rng.int(999)}.${digits(rng, 2)}`;
    case 2: // a code / phone number
      return `${String.fromCharCode(65 + rng.int(26), 65 + rng.int(26))}${digits(rng, 2 + rng.int(8))}`;
    default: {
      // a phrase
      const n = 1 + rng.int(5);
      const ws = Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]);
      const style = rng.int(3);
      return ws
        .map((w, i) => (style === 0 ? w.toUpperCase() : style === 1 || i === 0 ? CAPS(w) : w))
        .join(' ');
    }
  }
}

function chineseLine(rng: Random, alphabet: string[]): string {
  const n = 2 + rng.int(11);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  // sometimes a number inside, as on signs and receipts
  if (rng.int(4) === 0) s = s.slice(0, n >> 1) + digits(rng, 1 + rng.int(4)) + s.slice(n >> 1);
  return s;
}

export function textLine(rng: Random, script: Script, alphabet: string[]): string {
  return script === 'cjk' ? chineseLine(rng, alphabet) : latinLine(rng);
}
