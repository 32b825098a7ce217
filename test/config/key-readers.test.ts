/**
 * No silent keys: walks the schema, and every key path it accepts must be read by a named src/ file,
 * refused by name, or warned about. The named files must exist and spell the key outside comments.
 * The whole table is printed (path → reader / refusal / warning).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  KEY_READERS,
  NOT_BUILT_SECTIONS,
  WARNED_KEYS,
  schemaKeyPaths,
  treatmentOf,
  validateConfigObject,
  type KeyTreatment,
} from '../../src/config/index.js';
import { notBuiltSectionsOf } from '../../src/compression/refusals.js';

const REPO = join(import.meta.dirname, '..', '..');
const paths = schemaKeyPaths();

/** Source text without comments: a key mentioned only in a comment is not read. */
function codeOf(file: string): string {
  return readFileSync(join(REPO, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}
const spells = (file: string, name: string) => new RegExp(`\\b${name}\\b`).test(codeOf(file));
const lastName = (path: string) => /([A-Za-z_][A-Za-z0-9_]*)(?:\[\])?$/.exec(path)![1];

function describeTreatment(t: KeyTreatment): string {
  if (t.kind === 'read') return `read by ${t.file}${t.via ? ` (via ${t.via.literal} in ${t.via.file})` : ''}`;
  if (t.kind === 'refused') return `refused (${t.reason}) in ${t.via?.file ?? t.file}`;
  return `warned (${t.reason}) in ${t.file}`;
}

describe('every key path of the schema is read, refused or warned', () => {
  it('the schema has the paths we expect to walk', () => {
    expect(paths.length).toBe(457);
    expect(paths).toContain(
      'compression[quantization].scope_overrides.weights.*.initializer.range[].target_quantizer_group',
    );
    expect(paths).toContain('bootstrapNAS.training.elasticity.width.min_width');
  });

  it('lists every path with its reader or its refusal/warning, and none is missing', () => {
    const lines = paths.map((path) => {
      const found = treatmentOf(path);
      return found
        ? `${path} → ${describeTreatment(found.treatment)}`
        : `${path} → NOTHING (silently ignored)`;
    });
    console.log(`${lines.length} key paths:\n${lines.join('\n')}`);
    expect(lines.filter((line) => line.endsWith('NOTHING (silently ignored)'))).toEqual([]);
    const counts = { read: 0, refused: 0, warned: 0 };
    for (const path of paths) counts[treatmentOf(path)!.treatment.kind]++;
    expect(counts).toEqual({ read: 404, refused: 40, warned: 13 });
  });

  it('the table names no path the schema does not have', () => {
    // A refused section (`compression[filter_pruning]`) is the prefix of its paths, not a path itself.
    const known = (entry: string) => paths.some((path) => path === entry || path.startsWith(`${entry}.`));
    expect(Object.keys(KEY_READERS).filter((entry) => !known(entry))).toEqual([]);
  });

  it.each(Object.entries(KEY_READERS))('%s: the named file exists and spells the key', (path, t) => {
    const literal = t.kind === 'warned' ? undefined : t.literal;
    const name = literal ?? lastName(path);
    expect(existsSync(join(REPO, t.file)), t.file).toBe(true);
    expect(spells(t.file, name), `${t.file} spells ${name}`).toBe(true);
    if (t.kind !== 'warned' && t.via)
      expect(spells(t.via.file, t.via.literal), `${t.via.file} spells ${t.via.literal}`).toBe(true);
  });
});

describe('the refusals and warnings the table claims really happen', () => {
  it('each refused section is refused when present', () => {
    const doc = (section: string): Record<string, unknown> =>
      section === 'bootstrapNAS'
        ? { [section]: {} }
        : { compression: { algorithm: section } };
    for (const section of NOT_BUILT_SECTIONS) expect(notBuiltSectionsOf(doc(section))).toEqual([section]);
  });

  it('the warned entries of the table are exactly WARNED_KEYS', () => {
    const warnedInTable = Object.entries(KEY_READERS)
      .filter(([, t]) => t.kind === 'warned')
      .map(([path]) => path);
    expect(warnedInTable.sort()).toEqual(WARNED_KEYS.map((warned) => warned.form).sort());
  });

  const RANGE_ENTRY = { target_scopes: ['{re}.*'], validate_scopes: true };
  it.each([
    ['disable_shape_matching', { disable_shape_matching: true }, 'disable_shape_matching'],
    [
      'dump_init_precision_data',
      {
        compression: {
          algorithm: 'quantization',
          initializer: { precision: { type: 'hawq', dump_init_precision_data: true } },
        },
      },
      'compression.initializer.precision.dump_init_precision_data',
    ],
    [
      'validate_scopes of a per-layer range entry',
      { compression: [{ algorithm: 'quantization', initializer: { range: [RANGE_ENTRY] } }] },
      'compression[0].initializer.range[0].validate_scopes',
    ],
    [
      'validate_scopes of a per-layer range entry in a scope override',
      {
        compression: {
          algorithm: 'quantization',
          scope_overrides: { activations: { '{re}conv': { initializer: { range: [RANGE_ENTRY] } } } },
        },
      },
      'compression.scope_overrides.activations["{re}conv"].initializer.range[0].validate_scopes',
    ],
  ])('%s', (_name, doc, path) => {
    const report = validateConfigObject(doc);
    expect(report.valid).toBe(true);
    expect(report.issues).toEqual([
      expect.objectContaining({
        severity: 'warning',
        path,
        message: expect.stringMatching(/^has no effect: /),
      }),
    ]);
  });

  it('dump_init_precision_data: false asks for nothing, so no warning', () => {
    const doc = {
      compression: {
        algorithm: 'quantization',
        initializer: { precision: { dump_init_precision_data: false } },
      },
    };
    expect(validateConfigObject(doc).issues).toEqual([]);
  });

  it('unknown keys of open objects (range params, per-layer range entries) are warnings with the did-you-mean', () => {
    const doc = {
      compression: {
        algorithm: 'quantization',
        initializer: {
          range: [
            { target_scopes: 'a', type: 'percentile', params: { min_percentil: 1 }, num_init_sample: 8 },
          ],
        },
      },
    };
    const report = validateConfigObject(doc);
    expect(report.valid).toBe(true);
    expect(report.issues.map((issue) => [issue.severity, issue.path, issue.suggestion])).toEqual([
      ['warning', 'compression.initializer.range[0].params.min_percentil', 'min_percentile'],
      ['warning', 'compression.initializer.range[0].num_init_sample', 'num_init_samples'],
    ]);
    expect(report.issues[0].message).toBe(
      'unknown key "min_percentil" is ignored: NNCF does not check this object (known here: min_percentile, max_percentile)',
    );
  });
});
