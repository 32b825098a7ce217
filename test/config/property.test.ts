/**
 * Property: mutating valid configs (10,000 seeded runs) never makes validation throw anything but
 * ConfigError, never crashes filling defaults, and never hangs.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { NNCFConfig, ConfigError, validateConfigObject, fillDefaults } from '../../src/config/index.js';
import { parseConfigText } from '../../src/config/load.js';
import { validFixtures } from './helpers.js';
import { FULL_SECTIONS, FULL_TOP_LEVEL, FULL_ADAPTIVE, FULL_BOOTSTRAP_NAS } from './full-configs.js';

const bases: unknown[] = [
  ...validFixtures().map((file) => parseConfigText(readFileSync(file, 'utf8')).document),
  {
    ...FULL_TOP_LEVEL,
    compression: Object.values(FULL_SECTIONS).filter((s) => s.algorithm !== 'experimental_quantization'),
  },
  {
    accuracy_aware_training: FULL_ADAPTIVE,
    compression: { algorithm: 'filter_pruning' },
    bootstrapNAS: FULL_BOOTSTRAP_NAS,
  },
].map((doc) => JSON.parse(JSON.stringify(doc)));

/** Keys worth inserting: real config keys, prototype traps and noise. */
const KEYS = [
  'algorithm',
  'params',
  'initializer',
  'range',
  'precision',
  'type',
  'mode',
  'preset',
  'sparsity_init',
  'num_init_steps',
  'target_device',
  'compression',
  'bitwidth_per_scope',
  'accuracy_aware_training',
  'bootstrapNAS',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
];
const VALUES: unknown[] = [
  'quantization',
  'knowledge_distillation',
  'mse',
  'NPU',
  'VPU',
  'adaptive_compression_level',
  'learned_ranking',
  'multistep',
  'autoq',
  'external',
  -1,
  0,
  1e308,
  NaN,
  null,
  [],
  {},
  [[4, 'x']],
  [['x', 4]],
];

type Container = Record<string, unknown> | unknown[];

function containers(value: unknown, out: Container[] = []): Container[] {
  if (value !== null && typeof value === 'object') {
    out.push(value as Container);
    for (const child of Object.values(value)) containers(child, out);
  }
  return out;
}

const step = fc.record({
  op: fc.constantFrom('replace', 'delete', 'insert', 'rename', 'duplicate'),
  where: fc.nat(),
  which: fc.nat(),
  key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })),
  value: fc.oneof(fc.constantFrom(...VALUES), fc.jsonValue({ maxDepth: 2 })),
});

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function mutate(document: unknown, steps: Step[]): unknown {
  const root = JSON.parse(JSON.stringify(document));
  for (const { op, where, which, key, value: shared } of steps) {
    const value = structuredClone(shared); // never the same object twice: a JSON document has no cycles
    const all = containers(root);
    const target = all[where % all.length];
    const keys = Object.keys(target);
    const existing = keys.length ? keys[which % keys.length] : undefined;
    const set = (k: string, v: unknown) =>
      Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
    if (Array.isArray(target)) {
      const i = keys.length ? which % keys.length : 0;
      if (op === 'delete') target.splice(i, 1);
      else if (op === 'insert' || op === 'duplicate')
        target.splice(
          i,
          0,
          op === 'duplicate' && keys.length ? JSON.parse(JSON.stringify(target[i])) : value,
        );
      else target[i] = value;
    } else if (op === 'delete' && existing !== undefined) delete target[existing];
    else if (op === 'rename' && existing !== undefined) {
      const moved = target[existing];
      delete target[existing];
      set(key, moved);
    } else if (op === 'replace' && existing !== undefined) set(existing, value);
    else set(key, value);
  }
  return root;
}

describe('mutated configs', () => {
  it('validation only ever throws ConfigError (10,000 seeded mutations)', () => {
    let valid = 0;
    const started = process.cpuUsage(); // CPU time, not wall time: a loaded CI machine must not fail this
    fc.assert(
      fc.property(
        fc.nat(bases.length - 1),
        fc.array(step, { minLength: 1, maxLength: 3 }),
        (baseIndex, steps) => {
          const document = mutate(bases[baseIndex], steps);
          const report = validateConfigObject(document);
          if (report.valid) {
            valid++;
            expect(() =>
              JSON.stringify(fillDefaults(report.document as Parameters<typeof fillDefaults>[0])),
            ).not.toThrow();
          }
          try {
            NNCFConfig.fromObject(document);
            expect(report.valid).toBe(true);
          } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            expect(report.valid).toBe(false);
            expect(err.issues.length).toBeGreaterThan(0);
            expect(typeof err.path).toBe('string');
          }
        },
      ),
      { seed: 20240611, numRuns: 10_000 },
    );
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    expect(valid).toBeGreaterThan(100);
    expect(valid).toBeLessThan(9_900);
    const cpu = process.cpuUsage(started);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(30_000);
  });

  it('text mutations only ever throw ConfigError', () => {
    const texts = validFixtures().map((file) => readFileSync(file, 'utf8'));
    fc.assert(
      fc.property(
        fc.nat(texts.length - 1),
        fc.nat(),
        fc.nat(8),
        fc.string({ maxLength: 3 }),
        (index, at, cut, insert) => {
          const text = texts[index];
          const position = at % (text.length + 1);
          const mutated = text.slice(0, position) + insert + text.slice(position + cut);
          try {
            NNCFConfig.fromText(mutated, 'mutated.json');
          } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            expect(err.issues[0].line).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { seed: 7, numRuns: 2_000 },
    );
  });
});
