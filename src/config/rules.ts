/**
 * Cross-field rules that NNCF enforces in code (at build time) rather than in its schema.
 * They run on schema-valid documents only, so they may trust every type.
 */
import type { ConfigIssue } from './errors.js';
import type { NNCFConfigDocument } from './types-root.js';
import type { AlgorithmSection } from './types-algorithms.js';
import { ADAPTIVE_CAPABLE_ALGORITHMS, SPARSITY_ALGORITHMS } from './names.js';
import { checkEntry, nasRules, rule, type Entry } from './algorithm-rules.js';

export function compressionEntries(doc: NNCFConfigDocument): Entry[] {
  const compression = doc.compression;
  if (compression === undefined) return [];
  if (Array.isArray(compression)) {
    return (compression as readonly AlgorithmSection[]).map((section, i) => ({
      section,
      path: `compression[${i}]`,
    }));
  }
  return [{ section: compression as AlgorithmSection, path: 'compression' }];
}

export function checkRules(doc: NNCFConfigDocument): ConfigIssue[] {
  const entries = compressionEntries(doc);
  return [
    ...duplicateAlgorithms(entries),
    ...entries.flatMap((entry) => checkEntry(entry, doc)),
    ...accuracyAwareCombination(doc, entries),
    ...nasRules(doc),
  ];
}

function duplicateAlgorithms(entries: Entry[]): ConfigIssue[] {
  const firstAt = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const { section, path } of entries) {
    const previous = firstAt.get(section.algorithm);
    if (previous !== undefined) {
      issues.push(
        rule(
          `${path}.algorithm`,
          `Multiple algorithm configurations specified for the same algo "${section.algorithm}"`,
          {
            expected: 'at most one entry per algorithm',
            found: `a second "${section.algorithm}" entry (the first is ${previous})`,
            hint: `merge the two entries into ${previous}`,
          },
        ),
      );
    } else firstAt.set(section.algorithm, path);
  }
  return issues;
}

function accuracyAwareCombination(doc: NNCFConfigDocument, entries: Entry[]): ConfigIssue[] {
  if (doc.accuracy_aware_training?.mode !== 'adaptive_compression_level') return [];
  const names = entries.map((entry) => entry.section.algorithm);
  const adaptive = names.filter((name) => ADAPTIVE_CAPABLE_ALGORITHMS.includes(name));
  const path = 'accuracy_aware_training.mode';
  if (adaptive.length === 0) {
    return [
      rule(
        path,
        'No compression algorithm supported by the accuracy-aware training runner was specified in the config',
        {
          expected: `one of ${ADAPTIVE_CAPABLE_ALGORITHMS.join(', ')} in compression`,
          found: names.length ? names.join(', ') : 'no compression',
          hint: 'use "mode": "early_exit" for this combination',
        },
      ),
    ];
  }
  const pruningWithSparsity =
    names.includes('filter_pruning') && names.some((name) => SPARSITY_ALGORITHMS.includes(name));
  if (adaptive.length > 1 || pruningWithSparsity) {
    return [
      rule(path, 'the adaptive compression level loop can vary only one compression algorithm', {
        expected: 'exactly one adaptive algorithm',
        found: names.join(', '),
        hint: 'use "mode": "early_exit" for this combination',
      }),
    ];
  }
  return [];
}
