import { describe, expect, it } from 'vitest';
import {
  NNCFConfig,
  ConfigError,
  ConfigValidationError,
  formatIssue,
  closestName,
} from '../../src/config/index.js';
import { editDistance } from '../../src/config/suggest.js';
import { errorsOf, withAlgorithm } from './helpers.js';

function thrown(document: unknown): ConfigError {
  try {
    NNCFConfig.fromObject(document);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('ConfigError', () => {
  it('carries path, expected and found of the first issue and all issues', () => {
    const err = thrown({
      compression: [
        { algorithm: 'quantization', initializer: { range: { type: 'minmax', num_init_samples: '8' } } },
      ],
    });
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.kind).toBe('schema');
    expect(err.path).toBe('compression[0].initializer.range.num_init_samples');
    expect(err.expected).toBe('number');
    expect(err.found).toBe('string "8"');
    expect(err.issues.map((issue) => issue.path)).toEqual([
      'compression[0].initializer.range.num_init_samples',
      'compression[0].initializer.range.type',
    ]);
    expect(err.issues[1].suggestion).toBe('min_max');
    expect(err.message).toBe(
      'compression[0].initializer.range.num_init_samples: expected number, found string "8"\n' +
        'compression[0].initializer.range.type: expected one of "mixed_min_max", "min_max", "mean_min_max", "threesigma", "percentile", "mean_percentile", found string "minmax" - did you mean "min_max"?',
    );
  });

  it('formats an issue with file, line and column', () => {
    expect(
      formatIssue(
        { kind: 'schema', severity: 'error', path: 'a.b', message: 'boom', line: 3, column: 7, hint: 'do x' },
        'c.json',
      ),
    ).toBe('c.json:3:7: a.b: boom - do x');
    expect(formatIssue({ kind: 'schema', severity: 'warning', path: '', message: 'hm' })).toBe(
      'warning: (top level): hm',
    );
  });
});

describe('unknown algorithm names', () => {
  it('lists the valid names and suggests the closest ("quantisation" → "quantization")', () => {
    const [issue] = errorsOf(withAlgorithm({ algorithm: 'quantisation' }));
    expect(issue.path).toBe('compression.algorithm');
    expect(issue.message).toBe(
      'Incorrect algorithm name - must be one of [quantization, experimental_quantization, binarization, filter_pruning, magnitude_sparsity, rb_sparsity, const_sparsity, movement_sparsity, knowledge_distillation], found string "quantisation"',
    );
    expect(issue.suggestion).toBe('quantization');
  });
  it.each([
    ['magnitude_sparsiti', 'magnitude_sparsity'],
    ['filter-pruning', 'filter_pruning'],
    ['knowledge_distilation', 'knowledge_distillation'],
    ['RB_sparsity', 'rb_sparsity'],
  ])('%s → %s', (typo, name) => {
    expect(errorsOf({ compression: [{ algorithm: typo }] })[0].suggestion).toBe(name);
  });
  it('no suggestion for a name nothing resembles', () => {
    const [issue] = errorsOf({ compression: { algorithm: 'bad_algo' } });
    expect(issue.suggestion).toBeUndefined();
    expect(issue.expected).toBe(
      'one of quantization, experimental_quantization, binarization, filter_pruning, magnitude_sparsity, rb_sparsity, const_sparsity, movement_sparsity, knowledge_distillation',
    );
  });
  it('bootstrapNAS as an algorithm points to the top-level key', () => {
    expect(errorsOf({ compression: { algorithm: 'bootstrapNAS' } })[0].hint).toBe(
      'NAS is configured with the top-level "bootstrapNAS" key ({"training": ..., "search": ...}), not as a compression entry',
    );
  });
  it('a non-string algorithm is a type error only', () => {
    expect(errorsOf({ compression: { algorithm: 5 } }).map((i) => [i.path, i.message])).toEqual([
      ['compression.algorithm', 'expected string, found number 5'],
    ]);
  });
  it('a missing algorithm is a required-key error', () => {
    expect(
      errorsOf({ compression: [{ algorithm: 'quantization' }, { params: {} }] }).map((i) => [
        i.path,
        i.message,
      ]),
    ).toEqual([['compression[1].algorithm', 'missing required key "algorithm"']]);
  });
});

describe('unknown keys in closed objects', () => {
  it('suggests the closest key of that object', () => {
    const [issue] = errorsOf(withAlgorithm({ algorithm: 'quantization', weights: { modee: 'symmetric' } }));
    expect(issue.path).toBe('compression.weights.modee');
    expect(issue.message).toBe(
      'unknown key "modee" (allowed here: mode, bits, signed, per_channel, ignored_scopes, target_scopes, validate_scopes, logarithm_scale)',
    );
    expect(issue.suggestion).toBe('mode');
    expect(issue.found).toBe('key "modee"');
  });
  it.each([
    [{ algorithm: 'quantization', quantize_input: true }, 'compression.quantize_input', 'quantize_inputs'],
    [
      { algorithm: 'filter_pruning', params: { pruning_traget: 0.5 } },
      'compression.params.pruning_traget',
      'pruning_target',
    ],
    [
      { algorithm: 'quantization', initializer: { batchnorm_adaptation: { num_bn_adaptation_steps: 10 } } },
      'compression.initializer.batchnorm_adaptation.num_bn_adaptation_steps',
      'num_bn_adaptation_samples',
    ],
  ])('%j', (section, path, suggestion) => {
    const [issue] = errorsOf({ compression: section });
    expect([issue.path, issue.suggestion]).toEqual([path, suggestion]);
  });
  it('input_info entries are closed', () => {
    expect(errorsOf({ input_info: [{ sample_size: [1], shape: [1] }] })[0].path).toBe('input_info[0].shape');
  });
  it('the top level is open: training-script keys are fine', () => {
    expect(
      errorsOf({
        model: 'resnet50',
        batch_size: 8,
        epochs: 2,
        optimizer: { type: 'Adam' },
        multiprocessing_distributed: true,
      }),
    ).toEqual([]);
  });
  it('precision tolerates a key literally named "required" (NNCF schema quirk)', () => {
    expect(
      errorsOf({
        compression: { algorithm: 'quantization', initializer: { precision: { required: ['type'] } } },
      }),
    ).toEqual([]);
  });
  it('per-layer range entries are open, the single range object is closed', () => {
    expect(
      errorsOf({
        compression: {
          algorithm: 'quantization',
          initializer: { range: [{ target_scopes: 'a', extra: 1 }] },
        },
      }),
    ).toEqual([]);
    expect(
      errorsOf({ compression: { algorithm: 'quantization', initializer: { range: { extra: 1 } } } })[0].path,
    ).toBe('compression.initializer.range.extra');
  });
});

describe('misplaced keys name where they belong', () => {
  it('num_init_steps directly under initializer', () => {
    const [issue] = errorsOf({
      compression: { algorithm: 'quantization', initializer: { num_init_steps: 1 } },
    });
    expect(issue.path).toBe('compression.initializer.num_init_steps');
    expect(issue.hint).toBe(
      '"num_init_steps" is not an initializer key: range initialization is configured in compression.initializer.range with "num_init_samples"',
    );
    expect(issue.suggestion).toBeUndefined();
  });
  it('num_init_steps under a filter_pruning initializer belongs in params', () => {
    const [issue] = errorsOf({
      compression: [{ algorithm: 'filter_pruning', initializer: { num_init_steps: 1 } }],
    });
    expect(issue.hint).toBe('"num_init_steps" belongs in params: compression[0].params.num_init_steps');
  });
  it('sparsity_init inside params belongs at algorithm level', () => {
    const [issue] = errorsOf({
      compression: [{ algorithm: 'magnitude_sparsity', params: { sparsity_init: 0.1 } }],
    });
    expect(issue.path).toBe('compression[0].params.sparsity_init');
    expect(issue.hint).toBe('"sparsity_init" belongs at compression[0].sparsity_init');
    expect(issue.suggestion).toBeUndefined();
  });
  it('pruning_init inside params belongs at algorithm level', () => {
    expect(
      errorsOf({ compression: { algorithm: 'filter_pruning', params: { pruning_init: 0.1 } } })[0].hint,
    ).toBe('"pruning_init" belongs at compression.pruning_init');
  });
  it('sparsity keys inside quantization params name the sparsity algorithms', () => {
    const issues = errorsOf({
      compression: { algorithm: 'quantization', params: { sparsity_init: 0.05, sparsity_target: 0.5 } },
    });
    expect(issues.map((i) => i.hint)).toEqual([
      '"sparsity_init" is a key of magnitude_sparsity, rb_sparsity (at compression[].sparsity_init), not of quantization',
      '"sparsity_target" is a key of magnitude_sparsity, rb_sparsity (at compression[].params.sparsity_target), not of quantization',
    ]);
  });
  it('quantization keys inside params belong one level up', () => {
    expect(
      errorsOf({ compression: { algorithm: 'quantization', params: { preset: 'mixed' } } })[0].hint,
    ).toBe('"preset" belongs at compression.preset');
  });
  it('target_device inside an algorithm is a top-level key', () => {
    expect(errorsOf({ compression: { algorithm: 'quantization', target_device: 'CPU' } })[0].hint).toBe(
      '"target_device" is a top-level key: target_device',
    );
  });
  it('an initializer on rb_sparsity (which has none) names the algorithms that have one', () => {
    const [issue] = errorsOf({ compression: { algorithm: 'rb_sparsity', initializer: {} } });
    expect(issue.path).toBe('compression.initializer');
    expect(issue.hint).toMatch(
      /^"initializer" is a key of quantization, experimental_quantization, binarization, filter_pruning, magnitude_sparsity \(at compression\[\]\.initializer\), not of rb_sparsity$/,
    );
  });
  it('num_init_samples directly under initializer belongs in range', () => {
    expect(
      errorsOf({ compression: { algorithm: 'quantization', initializer: { num_init_samples: 8 } } })[0].hint,
    ).toBe('"num_init_samples" belongs at compression.initializer.range.num_init_samples');
  });
  it('algorithm keys at the (open) top level are warnings, not errors', () => {
    const { NNCFConfig: C } = { NNCFConfig };
    const config = C.fromObject({ preset: 'mixed', compression: { algorithm: 'quantization' } });
    expect(config.warnings.map((w) => [w.path, w.message, w.hint])).toEqual([
      [
        'preset',
        '"preset" at the top level is ignored by NNCF',
        '"preset" is a key of quantization, experimental_quantization (at compression[].preset), not of the top level',
      ],
    ]);
    expect(C.fromObject({ algorithm: 'quantization' }).warnings[0].hint).toBe(
      'algorithm sections go under "compression"',
    );
  });
});

describe('other error paths', () => {
  it('both accuracy degradation keys', () => {
    const [issue] = errorsOf({
      accuracy_aware_training: {
        mode: 'early_exit',
        params: {
          maximal_total_epochs: 3,
          maximal_relative_accuracy_degradation: 1,
          maximal_absolute_accuracy_degradation: 2,
        },
      },
    });
    expect([issue.path, issue.found]).toEqual(['accuracy_aware_training.params', 'both']);
    expect(issue.message).toBe(
      'exactly one of maximal_relative_accuracy_degradation, maximal_absolute_accuracy_degradation is required, found both',
    );
  });
  it('neither accuracy degradation key', () => {
    const [issue] = errorsOf({
      accuracy_aware_training: {
        mode: 'adaptive_compression_level',
        params: { initial_training_phase_epochs: 1, patience_epochs: 1 },
      },
    });
    expect([issue.path, issue.found]).toEqual(['accuracy_aware_training.params', 'neither']);
  });
  it('schema-required keys of accuracy-aware modes', () => {
    expect(
      errorsOf({
        accuracy_aware_training: { mode: 'early_exit', params: { maximal_relative_accuracy_degradation: 1 } },
      }).map((i) => i.path),
    ).toEqual(['accuracy_aware_training.params.maximal_total_epochs']);
    expect(
      errorsOf({
        accuracy_aware_training: {
          mode: 'adaptive_compression_level',
          params: { maximal_relative_accuracy_degradation: 1 },
        },
      }).map((i) => i.path),
    ).toEqual([
      'accuracy_aware_training.params.initial_training_phase_epochs',
      'accuracy_aware_training.params.patience_epochs',
    ]);
    expect(errorsOf({ accuracy_aware_training: { mode: 'early_exit' } }).map((i) => i.path)).toEqual([
      'accuracy_aware_training.params',
    ]);
    expect(errorsOf({ accuracy_aware_training: {} }).map((i) => i.path)).toEqual([
      'accuracy_aware_training.mode',
    ]);
    expect(
      errorsOf({
        accuracy_aware_training: {
          mode: 'early_exit',
          params: { maximal_relative_accuracy_degradation: 1, maximal_total_epochs: 1 },
          patience: 2,
        },
      })[0].path,
    ).toBe('accuracy_aware_training.patience');
  });
  it('movement params and structures have required keys', () => {
    expect(
      errorsOf({ compression: { algorithm: 'movement_sparsity', params: {} } }).map((i) => i.path),
    ).toEqual([
      'compression.params.warmup_start_epoch',
      'compression.params.warmup_end_epoch',
      'compression.params.importance_regularization_factor',
    ]);
    expect(
      errorsOf({ compression: { algorithm: 'movement_sparsity', sparse_structure_by_scopes: [{}] } }).map(
        (i) => i.path,
      ),
    ).toEqual([
      'compression.sparse_structure_by_scopes[0].mode',
      'compression.sparse_structure_by_scopes[0].target_scopes',
    ]);
  });
  it('KD requires type', () => {
    expect(errorsOf({ compression: { algorithm: 'knowledge_distillation' } }).map((i) => i.path)).toEqual([
      'compression.type',
    ]);
  });
  it('bitwidth_per_scope in [scope, bits] order is rejected with a hint', () => {
    const issues = errorsOf({
      compression: {
        algorithm: 'quantization',
        initializer: { precision: { bitwidth_per_scope: [['Net/conv|WEIGHT', 4]] } },
      },
    });
    expect(issues[0].path).toBe('compression.initializer.precision.bitwidth_per_scope[0][0]');
    expect(issues[0].hint).toBe(
      'bitwidth_per_scope items are [bits, scope] pairs; this one is written [scope, bits]',
    );
  });
  it('bitwidth_per_scope pairs must be pairs', () => {
    const path = 'compression.initializer.precision.bitwidth_per_scope[0]';
    expect(
      errorsOf({
        compression: { algorithm: 'quantization', initializer: { precision: { bitwidth_per_scope: [[4]] } } },
      })[0].path,
    ).toBe(path);
    expect(
      errorsOf({
        compression: {
          algorithm: 'quantization',
          initializer: { precision: { bitwidth_per_scope: [[4, 'a', 'b']] } },
        },
      })[0].path,
    ).toBe(path);
  });
  it('keys that are not identifiers are quoted in paths', () => {
    const [issue] = errorsOf({
      compression: {
        algorithm: 'quantization',
        scope_overrides: { activations: { '{re}.*conv.*': { mode: 'sym' } } },
      },
    });
    expect(issue.path).toBe('compression.scope_overrides.activations["{re}.*conv.*"].mode');
  });
  it('input_info of a wrong type names both accepted forms', () => {
    expect(errorsOf({ input_info: 5 })[0].message).toBe('expected object or array, found number 5');
    expect(errorsOf({ compression: 'quantization' })[0].message).toBe(
      'expected object or array, found string "quantization"',
    );
  });
});

describe('closestName', () => {
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('quantization', 'quantisation')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('ignores case and hyphens, refuses far-off names', () => {
    expect(closestName('Quantization', ['quantization', 'binarization'])).toBe('quantization');
    expect(closestName('xyz', ['quantization'])).toBeUndefined();
    expect(closestName('mode', ['mode'])).toBeUndefined();
    expect(closestName('x'.repeat(500), ['x'])).toBeUndefined();
  });
});
