import { describe, expect, it } from 'vitest';
import { errorsOf } from './helpers.js';

const adaptive = {
  mode: 'adaptive_compression_level',
  params: { maximal_relative_accuracy_degradation: 1, initial_training_phase_epochs: 5, patience_epochs: 3 },
};
const earlyExit = {
  mode: 'early_exit',
  params: { maximal_relative_accuracy_degradation: 1, maximal_total_epochs: 10 },
};
const issue = (document: object) => {
  const [first, ...rest] = errorsOf(document);
  expect(rest).toEqual([]);
  return first ? { path: first.path, message: first.message, kind: first.kind } : undefined;
};

describe('duplicate algorithms', () => {
  it('a second entry of the same algorithm is an error at its algorithm key', () => {
    expect(
      issue({
        compression: [
          { algorithm: 'quantization' },
          { algorithm: 'filter_pruning' },
          { algorithm: 'quantization' },
        ],
      }),
    ).toEqual({
      path: 'compression[2].algorithm',
      message: 'Multiple algorithm configurations specified for the same algo "quantization"',
      kind: 'rule',
    });
  });
  it('different algorithms are fine', () => {
    expect(
      issue({ compression: [{ algorithm: 'quantization' }, { algorithm: 'experimental_quantization' }] }),
    ).toBeUndefined();
  });
});

describe('preset with NPU', () => {
  it.each(['NPU', 'VPU'])('%s rejects an explicit preset', (device) => {
    expect(
      issue({ target_device: device, compression: [{ algorithm: 'quantization', preset: 'performance' }] }),
    ).toEqual({
      path: 'compression[0].preset',
      message: 'The NPU target device does not support presets',
      kind: 'rule',
    });
  });
  it.each(['ANY', 'CPU', 'GPU', 'TRIAL', 'CPU_SPR'])('%s accepts a preset', (device) => {
    expect(
      issue({ target_device: device, compression: { algorithm: 'quantization', preset: 'mixed' } }),
    ).toBeUndefined();
  });
  it('NPU without preset is fine', () =>
    expect(issue({ target_device: 'NPU', compression: { algorithm: 'quantization' } })).toBeUndefined());
});

describe('knowledge distillation temperature', () => {
  it('temperature with type mse is an error', () => {
    expect(
      issue({ compression: { algorithm: 'knowledge_distillation', type: 'mse', temperature: 2 } }),
    ).toEqual({
      path: 'compression.temperature',
      message: 'temperature is only used by the "softmax" distillation type, not "mse"',
      kind: 'rule',
    });
  });
  it('temperature with softmax is fine', () =>
    expect(
      issue({ compression: { algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2 } }),
    ).toBeUndefined());
});

describe('accuracy-aware training + algorithm combinations (catalogue §1.3)', () => {
  it('adaptive: filter_pruning + quantization accepted', () => {
    expect(
      issue({
        accuracy_aware_training: adaptive,
        compression: [{ algorithm: 'filter_pruning' }, { algorithm: 'quantization' }],
      }),
    ).toBeUndefined();
  });
  it('adaptive: quantization alone rejected', () => {
    expect(issue({ accuracy_aware_training: adaptive, compression: { algorithm: 'quantization' } })).toEqual({
      path: 'accuracy_aware_training.mode',
      message:
        'No compression algorithm supported by the accuracy-aware training runner was specified in the config',
      kind: 'rule',
    });
  });
  it('adaptive: no compression at all rejected', () => {
    expect(issue({ accuracy_aware_training: adaptive })?.path).toBe('accuracy_aware_training.mode');
  });
  it('adaptive: filter_pruning + rb_sparsity rejected', () => {
    expect(
      issue({
        accuracy_aware_training: adaptive,
        compression: [{ algorithm: 'filter_pruning' }, { algorithm: 'rb_sparsity' }],
      }),
    ).toEqual({
      path: 'accuracy_aware_training.mode',
      message: 'the adaptive compression level loop can vary only one compression algorithm',
      kind: 'rule',
    });
  });
  it('adaptive: filter_pruning + const_sparsity rejected, magnitude + rb rejected', () => {
    expect(
      issue({
        accuracy_aware_training: adaptive,
        compression: [{ algorithm: 'filter_pruning' }, { algorithm: 'const_sparsity' }],
      })?.path,
    ).toBe('accuracy_aware_training.mode');
    expect(
      issue({
        accuracy_aware_training: adaptive,
        compression: [{ algorithm: 'magnitude_sparsity' }, { algorithm: 'rb_sparsity' }],
      })?.path,
    ).toBe('accuracy_aware_training.mode');
  });
  it.each(['magnitude_sparsity', 'rb_sparsity', 'filter_pruning'])(
    'adaptive: %s alone accepted',
    (algorithm) => {
      expect(issue({ accuracy_aware_training: adaptive, compression: { algorithm } })).toBeUndefined();
    },
  );
  it('early_exit: filter_pruning + rb_sparsity accepted, quantization alone accepted', () => {
    expect(
      issue({
        accuracy_aware_training: earlyExit,
        compression: [{ algorithm: 'filter_pruning' }, { algorithm: 'rb_sparsity' }],
      }),
    ).toBeUndefined();
    expect(
      issue({ accuracy_aware_training: earlyExit, compression: { algorithm: 'quantization' } }),
    ).toBeUndefined();
  });
});

describe('filter pruning rules', () => {
  it('pruning_target and pruning_flops_target together', () => {
    expect(
      issue({
        compression: {
          algorithm: 'filter_pruning',
          params: { pruning_target: 0.5, pruning_flops_target: 0.3 },
        },
      }),
    ).toEqual({
      path: 'compression.params.pruning_flops_target',
      message: 'only one of pruning_target and pruning_flops_target can be set',
      kind: 'rule',
    });
  });
  it('learned_ranking with all_weights false', () => {
    expect(
      issue({
        compression: {
          algorithm: 'filter_pruning',
          params: { interlayer_ranking_type: 'learned_ranking', all_weights: false },
        },
      })?.path,
    ).toBe('compression.params.all_weights');
    expect(
      issue({
        compression: {
          algorithm: 'filter_pruning',
          params: { interlayer_ranking_type: 'unweighted_ranking', all_weights: false },
        },
      }),
    ).toBeUndefined();
  });
});

describe('initializer rules', () => {
  it('negative num_init_samples', () => {
    expect(
      issue({ compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: -1 } } } }),
    ).toEqual({
      path: 'compression.initializer.range.num_init_samples',
      message: 'the number of range-init samples must not be negative',
      kind: 'rule',
    });
    expect(
      issue({
        compression: {
          algorithm: 'binarization',
          initializer: { range: [{ num_init_samples: -5, target_scopes: 'a' }] },
        },
      })?.path,
    ).toBe('compression.initializer.range[0].num_init_samples');
  });
  it('per-layer range entries need target_scopes or ignored_scopes', () => {
    expect(
      issue({
        compression: [
          {
            algorithm: 'quantization',
            initializer: { range: [{ target_scopes: 'a' }, { type: 'min_max' }] },
          },
        ],
      }),
    ).toEqual({
      path: 'compression[0].initializer.range[1]',
      message: 'each per-layer range initializer must specify target_scopes or ignored_scopes',
      kind: 'rule',
    });
  });
  it('autoq needs target_device NPU/VPU or TRIAL', () => {
    const section = { algorithm: 'quantization', initializer: { precision: { type: 'autoq' } } };
    expect(issue({ compression: section })).toEqual({
      path: 'compression.initializer.precision.type',
      message: 'AutoQ precision initialization requires target_device NPU or TRIAL',
      kind: 'rule',
    });
    expect(issue({ target_device: 'GPU', compression: section })?.path).toBe(
      'compression.initializer.precision.type',
    );
    for (const device of ['NPU', 'VPU', 'TRIAL'])
      expect(issue({ target_device: device, compression: section })).toBeUndefined();
  });
});

describe('sparsity rules', () => {
  it('multistep needs one more level than steps', () => {
    expect(
      issue({
        compression: {
          algorithm: 'magnitude_sparsity',
          params: { schedule: 'multistep', multistep_steps: [1, 2], multistep_sparsity_levels: [0.1, 0.2] },
        },
      }),
    ).toEqual({
      path: 'compression.params.multistep_sparsity_levels',
      message: 'the multistep scheduler needs one more sparsity level than steps',
      kind: 'rule',
    });
    expect(
      issue({
        compression: { algorithm: 'rb_sparsity', params: { schedule: 'multistep', multistep_steps: [3] } },
      }),
    ).toBeUndefined();
    expect(
      issue({
        compression: {
          algorithm: 'rb_sparsity',
          params: { schedule: 'polynomial', multistep_steps: [1, 2], multistep_sparsity_levels: [0.1] },
        },
      }),
    ).toBeUndefined();
  });
  const movement = (params: object, structures?: object[]) => ({
    compression: {
      algorithm: 'movement_sparsity',
      params: {
        warmup_start_epoch: 1,
        warmup_end_epoch: 3,
        importance_regularization_factor: 0.1,
        ...params,
      },
      ...(structures ? { sparse_structure_by_scopes: structures } : {}),
    },
  });
  it('movement: negative regularization factor', () => {
    expect(issue(movement({ importance_regularization_factor: -1 }))?.path).toBe(
      'compression.params.importance_regularization_factor',
    );
  });
  it('movement: steps_per_epoch required when warm-up starts in epoch 0', () => {
    expect(issue(movement({ warmup_start_epoch: 0 }))).toEqual({
      path: 'compression.params.steps_per_epoch',
      message: 'steps_per_epoch is required when warmup_start_epoch is below 1',
      kind: 'rule',
    });
    expect(issue(movement({ warmup_start_epoch: 0, steps_per_epoch: 10 }))).toBeUndefined();
  });
  it('movement: block needs sparse_factors, per_dim needs axis', () => {
    expect(issue(movement({}, [{ mode: 'block', target_scopes: 'a' }]))?.path).toBe(
      'compression.sparse_structure_by_scopes[0].sparse_factors',
    );
    expect(
      issue(
        movement({}, [
          { mode: 'fine', target_scopes: 'a' },
          { mode: 'per_dim', target_scopes: 'b' },
        ]),
      )?.path,
    ).toBe('compression.sparse_structure_by_scopes[1].axis');
  });
});

describe('NAS rules', () => {
  it('external width importance needs a path', () => {
    expect(
      issue({ bootstrapNAS: { training: { elasticity: { width: { filter_importance: 'external' } } } } }),
    ).toEqual({
      path: 'bootstrapNAS.training.elasticity.width.external_importance_path',
      message: 'filter_importance "external" requires external_importance_path',
      kind: 'rule',
    });
  });
});

describe('rules only run on schema-valid documents', () => {
  it('a schema error hides rule errors until it is fixed', () => {
    const document = {
      target_device: 'NPU',
      compression: [{ algorithm: 'quantization', preset: 'mixed', quantize_inputs: 'yes' }],
    };
    expect(errorsOf(document).map((i) => i.kind)).toEqual(['schema']);
  });
});
