import { describe, expect, it } from 'vitest';
import { basename } from 'node:path';
import {
  NNCFConfig,
  validateConfigFile,
  validateConfigObject,
  ConfigValidationError,
} from '../../src/config/index.js';
import { validFixtures, invalidFixtures } from './helpers.js';

describe('realistic config fixtures', () => {
  const good = validFixtures();

  it('has at least 40 realistic configs covering every domain', () => {
    expect(good.length).toBeGreaterThanOrEqual(40);
    for (const domain of ['classification', 'detection', 'segmentation', 'nlp', 'nas']) {
      expect(good.some((file) => file.includes(`/${domain}/`))).toBe(true);
    }
  });

  it.each(good.map((file) => [basename(file), file]))('%s is valid', (_name, file) => {
    const report = validateConfigFile(file);
    expect(report.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
    expect(() => NNCFConfig.fromFile(file)).not.toThrow();
  });

  it.each(good.map((file) => [basename(file), file]))(
    '%s stays valid with every default filled in',
    (_name, file) => {
      const filled = validateConfigFile(file).withDefaults;
      expect(validateConfigObject(filled).valid).toBe(true);
      // Filling is idempotent: a filled config has nothing left to fill.
      expect(validateConfigObject(filled).withDefaults).toEqual(filled);
    },
  );

  it('every algorithm appears alone and in combination across the fixtures', () => {
    const seen = new Map<string, { alone: boolean; combined: boolean }>();
    for (const file of good) {
      // the names as written (NNCFConfig.algorithms reads experimental_quantization as quantization)
      const names = [NNCFConfig.fromFile(file).document.compression ?? []].flat().map((a) => a.algorithm as string);
      for (const name of names) {
        const entry = seen.get(name) ?? { alone: false, combined: false };
        if (names.length === 1) entry.alone = true;
        else entry.combined = true;
        seen.set(name, entry);
      }
    }
    for (const name of [
      'quantization',
      'binarization',
      'filter_pruning',
      'magnitude_sparsity',
      'rb_sparsity',
      'movement_sparsity',
    ]) {
      expect(seen.get(name)).toEqual({ alone: true, combined: true });
    }
    for (const name of ['experimental_quantization', 'const_sparsity', 'knowledge_distillation']) {
      expect(seen.has(name)).toBe(true);
    }
  });

  it.each(invalidFixtures().map((file) => [basename(file), file]))(
    'invalid/%s is rejected',
    (_name, file) => {
      expect(validateConfigFile(file).valid).toBe(false);
      expect(() => NNCFConfig.fromFile(file)).toThrow(ConfigValidationError);
    },
  );
});
