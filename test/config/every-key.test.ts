import { describe, expect, it } from 'vitest';
import { validateConfigObject } from '../../src/config/index.js';
import { segmentsToPath, type PathSegment } from '../../src/config/json-path.js';
import {
  FULL_SECTIONS,
  FULL_TOP_LEVEL,
  FULL_EARLY_EXIT,
  FULL_ADAPTIVE,
  FULL_BOOTSTRAP_NAS,
} from './full-configs.js';
import { errorsOf } from './helpers.js';

/** Every key and every array element, as paths into the document. */
function leafPaths(value: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item, i) => leafPaths(item, [...prefix, i]))];
  if (value !== null && typeof value === 'object') {
    return [
      ...(prefix.length ? [prefix] : []),
      ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k])),
    ];
  }
  return [prefix];
}

function setAt(root: unknown, path: PathSegment[], value: unknown): unknown {
  // JSON round trip, not structuredClone: the fixtures share sub-objects, a file never does.
  const copy = JSON.parse(JSON.stringify(root)) as Record<PathSegment, unknown>;
  let node = copy as Record<PathSegment, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<PathSegment, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

/** A value of another JSON type: strings and arrays (maybe string|string[]) become numbers, the rest a string. */
const wrongTypeFor = (value: unknown) =>
  typeof value === 'string' || Array.isArray(value) ? 42 : 'not-this';

const documents: [string, Record<string, unknown>][] = [
  ...Object.entries(FULL_SECTIONS).map(([name, section]): [string, Record<string, unknown>] => [
    name,
    {
      ...FULL_TOP_LEVEL,
      target_device:
        name === 'quantization' || name === 'experimental_quantization' || name === 'binarization'
          ? 'CPU'
          : 'TRIAL',
      compression: [section],
    },
  ]),
  [
    'top level + early_exit',
    {
      ...FULL_TOP_LEVEL,
      accuracy_aware_training: FULL_EARLY_EXIT,
      compression: { algorithm: 'rb_sparsity' },
    },
  ],
  [
    'adaptive_compression_level',
    { accuracy_aware_training: FULL_ADAPTIVE, compression: { algorithm: 'filter_pruning' } },
  ],
  ['bootstrapNAS', { input_info: { sample_size: [1, 3, 32, 32] }, bootstrapNAS: FULL_BOOTSTRAP_NAS }],
];

describe('full configs using every key', () => {
  it.each(documents)('%s: the full config is valid', (_name, document) => {
    expect(errorsOf(document)).toEqual([]);
  });

  for (const [name, document] of documents) {
    const paths = leafPaths(document).filter((path) => path.length > 0);
    it(`${name}: a wrong type at any of its ${paths.length} keys/elements is rejected at that path`, () => {
      const misses: string[] = [];
      for (const path of paths) {
        const original = path.reduce<any>((node, segment) => node[segment], document);
        const mutated = setAt(document, path, wrongTypeFor(original));
        const errors = errorsOf(mutated);
        const expected = segmentsToPath(path);
        if (errors.length === 0 || errors[0].path !== expected)
          misses.push(`${expected}: got ${JSON.stringify(errors.map((e) => e.path))}`);
      }
      expect(misses).toEqual([]);
    });
  }
});

describe('wrong values of enumerated keys', () => {
  const enumerated: [string, Record<string, unknown>, string, string][] = [
    [
      'target_device',
      { target_device: 'FPGA' },
      'target_device',
      'expected one of "ANY", "CPU", "GPU", "NPU", "VPU", "TRIAL", "CPU_SPR", found string "FPGA"',
    ],
    [
      'preset',
      { compression: { algorithm: 'quantization', preset: 'performanse' } },
      'compression.preset',
      'expected one of "performance", "mixed", found string "performanse"',
    ],
    [
      'overflow_fix',
      { compression: { algorithm: 'quantization', overflow_fix: 'on' } },
      'compression.overflow_fix',
      'expected one of "enable", "disable", "first_layer_only", found string "on"',
    ],
    [
      'weights.mode',
      { compression: { algorithm: 'quantization', weights: { mode: 'asym' } } },
      'compression.weights.mode',
      'expected one of "symmetric", "asymmetric", found string "asym"',
    ],
    [
      'range.type',
      { compression: [{ algorithm: 'quantization', initializer: { range: { type: 'minmax' } } }] },
      'compression[0].initializer.range.type',
      'expected one of "mixed_min_max", "min_max", "mean_min_max", "threesigma", "percentile", "mean_percentile", found string "minmax"',
    ],
    [
      'range[].target_quantizer_group',
      {
        compression: {
          algorithm: 'quantization',
          initializer: { range: [{ target_scopes: 'a', target_quantizer_group: 'weight' }] },
        },
      },
      'compression.initializer.range[0].target_quantizer_group',
      'expected one of "activations", "weights", found string "weight"',
    ],
    [
      'precision.type',
      { compression: { algorithm: 'quantization', initializer: { precision: { type: 'hawk' } } } },
      'compression.initializer.precision.type',
      'expected one of "hawq", "autoq", "manual", found string "hawk"',
    ],
    [
      'bitwidth_assignment_mode',
      {
        compression: {
          algorithm: 'quantization',
          initializer: { precision: { bitwidth_assignment_mode: 'loose' } },
        },
      },
      'compression.initializer.precision.bitwidth_assignment_mode',
      'expected one of "strict", "liberal", found string "loose"',
    ],
    [
      'binarization.mode',
      { compression: { algorithm: 'binarization', mode: 'xor' } },
      'compression.mode',
      'expected one of "xnor", "dorefa", found string "xor"',
    ],
    [
      'pruning schedule',
      { compression: { algorithm: 'filter_pruning', params: { schedule: 'linear' } } },
      'compression.params.schedule',
      'expected one of "exponential", "exponential_with_bias", "baseline", found string "linear"',
    ],
    [
      'filter_importance',
      { compression: { algorithm: 'filter_pruning', params: { filter_importance: 'l2' } } },
      'compression.params.filter_importance',
      'expected one of "L2", "L1", "geometric_median", found string "l2"',
    ],
    [
      'interlayer_ranking_type',
      { compression: { algorithm: 'filter_pruning', params: { interlayer_ranking_type: 'learned' } } },
      'compression.params.interlayer_ranking_type',
      'expected one of "unweighted_ranking", "learned_ranking", found string "learned"',
    ],
    [
      'sparsity schedule',
      { compression: { algorithm: 'rb_sparsity', params: { schedule: 'cosine' } } },
      'compression.params.schedule',
      'expected one of "polynomial", "exponential", "adaptive", "multistep", found string "cosine"',
    ],
    [
      'weight_importance',
      { compression: { algorithm: 'magnitude_sparsity', params: { weight_importance: 'l1' } } },
      'compression.params.weight_importance',
      'expected one of "abs", "normed_abs", found string "l1"',
    ],
    [
      'movement mode',
      {
        compression: {
          algorithm: 'movement_sparsity',
          sparse_structure_by_scopes: [{ mode: 'row', target_scopes: 'a' }],
        },
      },
      'compression.sparse_structure_by_scopes[0].mode',
      'expected one of "fine", "block", "per_dim", found string "row"',
    ],
    [
      'KD type',
      { compression: { algorithm: 'knowledge_distillation', type: 'kl' } },
      'compression.type',
      'expected one of "mse", "softmax", found string "kl"',
    ],
    [
      'accuracy-aware mode',
      { accuracy_aware_training: { mode: 'early', params: {} } },
      'accuracy_aware_training.mode',
      'expected one of "early_exit", "adaptive_compression_level", found string "early"',
    ],
    [
      'NAS training algorithm',
      { bootstrapNAS: { training: { algorithm: 'ofa' } } },
      'bootstrapNAS.training.algorithm',
      'expected one of "progressive_shrinking", found string "ofa"',
    ],
    [
      'NAS search algorithm',
      { bootstrapNAS: { search: { algorithm: 'NSGA3' } } },
      'bootstrapNAS.search.algorithm',
      'expected one of "NSGA2", "RNSGA2", found string "NSGA3"',
    ],
    [
      'NAS search compression',
      {
        bootstrapNAS: {
          search: { compression: { algorithm: 'knowledge_distillation', type: 'mse', temperature: 'x' } },
        },
      },
      'bootstrapNAS.search.compression.temperature',
      'expected number, found string "x"',
    ],
  ];
  it.each(enumerated)('%s', (_name, document, path, message) => {
    const errors = errorsOf(document);
    expect(errors[0].path).toBe(path);
    expect(errors[0].message).toBe(message);
    expect(errors[0].kind).toBe('schema');
  });

  it('suggests the closest enum value', () => {
    expect(errorsOf({ target_device: 'cpu' })[0].suggestion).toBe('CPU');
    expect(
      errorsOf({ compression: { algorithm: 'quantization', preset: 'performanse' } })[0].suggestion,
    ).toBe('performance');
    expect(
      errorsOf({ compression: { algorithm: 'quantization', overflow_fix: 'on' } })[0].suggestion,
    ).toBeUndefined();
  });
});

describe('validateConfigObject', () => {
  it('reports a valid full config with no errors, and warns only about the keys that have no effect', () => {
    const report = validateConfigObject(documents[0][1]);
    expect(report.valid).toBe(true);
    expect(report.issues.map((issue) => [issue.severity, issue.path])).toEqual([
      ['warning', 'disable_shape_matching'],
      ['warning', 'compression[0].initializer.precision.dump_init_precision_data'],
    ]);
  });
});
