import { describe, expect, it } from 'vitest';
import { NNCFConfig, type ResolvedQuantization, type ResolvedFilterPruning } from '../../src/config/index.js';

/** Each default is read back through the typed accessors and compared with NNCF's value. */
const config = (document: object) => NNCFConfig.fromObject(document);
const algo = (section: object, extra: object = {}) =>
  config({ compression: section, ...extra }).algorithms[0] as any;

describe('top-level defaults', () => {
  const empty = config({});
  it('target_device is ANY', () => expect(empty.targetDevice).toBe('ANY'));
  it('disable_shape_matching is false', () => expect(empty.disableShapeMatching).toBe(false));
  it('no compression, no input_info, no log_dir, no multiplier', () => {
    expect(empty.algorithms).toEqual([]);
    expect(empty.inputInfo).toEqual([]);
    expect(empty.logDir).toBeUndefined();
    expect(empty.compressionLrMultiplier('quantization')).toBeUndefined();
  });
});

describe('quantization defaults', () => {
  const q = config({ compression: { algorithm: 'quantization' } }).algorithm(
    'quantization',
  ) as ResolvedQuantization;
  it('preset performance', () => expect(q.preset).toBe('performance'));
  it('quantize_inputs true', () => expect(q.quantize_inputs).toBe(true));
  it('quantize_outputs false', () => expect(q.quantize_outputs).toBe(false));
  // Not NNCF's false: nncf-ts exports for ONNX Runtime, which cannot run FakeQuantize (issue 11); an
  // explicit false still means FakeQuantize, with a warning (test/config/export-format-warning.test.ts).
  it('export_to_onnx_standard_ops true (QDQ; NNCF: false)', () => expect(q.export_to_onnx_standard_ops).toBe(true));
  it('an explicit false stays false', () =>
    expect(algo({ algorithm: 'quantization', export_to_onnx_standard_ops: false }).export_to_onnx_standard_ops).toBe(false));
  it('overflow_fix enable', () => expect(q.overflow_fix).toBe('enable'));
  it('validate_scopes true', () => expect(q.validate_scopes).toBe(true));
  it('logarithm_scale false for both groups', () => {
    expect(q.weights.logarithm_scale).toBe(false);
    expect(q.activations.logarithm_scale).toBe(false);
  });
  it('weights/activations constraints stay unset (decided by the HW config)', () => {
    expect(q.weights).toEqual({ logarithm_scale: false });
    expect(q.activations).toEqual({ logarithm_scale: false });
  });
  it('scope_overrides is empty', () => expect(q.scope_overrides).toEqual({}));
  it('BN adaptation runs with 2000 samples', () =>
    expect(q.initializer.batchnorm_adaptation.num_bn_adaptation_samples).toBe(2000));
  it('range and precision stay absent (their presence changes behaviour)', () => {
    expect(q.initializer.range).toBeUndefined();
    expect(q.initializer.precision).toBeUndefined();
  });
  it('without params there is no staged scheduler', () => expect(q.params).toBeUndefined());
  it('preset is not filled on NPU, VPU or TRIAL', () => {
    for (const device of ['NPU', 'VPU', 'TRIAL']) {
      expect(algo({ algorithm: 'quantization' }, { target_device: device }).preset).toBeUndefined();
    }
    for (const device of ['ANY', 'CPU', 'GPU', 'CPU_SPR']) {
      expect(algo({ algorithm: 'quantization' }, { target_device: device }).preset).toBe('performance');
    }
  });
  it('experimental_quantization has the same defaults', () => {
    const e = algo({ algorithm: 'experimental_quantization' });
    expect([e.preset, e.quantize_inputs, e.overflow_fix]).toEqual(['performance', true, 'enable']);
  });
});

describe('initializer defaults', () => {
  const init = (initializer: object) => algo({ algorithm: 'quantization', initializer }).initializer;
  it('range: 256 samples of mixed_min_max', () => {
    expect(init({ range: {} }).range).toEqual({ num_init_samples: 256, type: 'mixed_min_max' });
  });
  it('range percentiles 0.1 / 99.9 for percentile types only', () => {
    expect(init({ range: { type: 'percentile' } }).range.params).toEqual({
      min_percentile: 0.1,
      max_percentile: 99.9,
    });
    expect(init({ range: { type: 'mean_percentile', params: { max_percentile: 95 } } }).range.params).toEqual(
      { max_percentile: 95, min_percentile: 0.1 },
    );
    expect(init({ range: { type: 'min_max' } }).range.params).toBeUndefined();
  });
  it('per-layer range entries get the same defaults', () => {
    expect(init({ range: [{ target_scopes: 'a' }] }).range).toEqual([
      { target_scopes: 'a', num_init_samples: 256, type: 'mixed_min_max' },
    ]);
  });
  it('precision without type is manual', () =>
    expect(init({ precision: {} }).precision).toEqual({ type: 'manual' }));
  it('hawq defaults', () => {
    expect(init({ precision: { type: 'hawq' } }).precision).toEqual({
      type: 'hawq',
      bits: [2, 4, 8],
      num_data_points: 100,
      iter_number: 200,
      tolerance: 1e-4,
      compression_ratio: 1.5,
      dump_init_precision_data: false,
      bitwidth_assignment_mode: 'liberal',
    });
  });
  it('autoq defaults', () => {
    const precision = algo(
      { algorithm: 'quantization', initializer: { precision: { type: 'autoq' } } },
      { target_device: 'NPU' },
    ).initializer.precision;
    expect(precision).toEqual({
      type: 'autoq',
      bits: [2, 4, 8],
      iter_number: 0,
      compression_ratio: 0.15,
      eval_subset_ratio: 1.0,
      warmup_iter_number: 20,
      dump_init_precision_data: false,
    });
  });
  it('an explicit 0 BN samples is kept', () =>
    expect(
      init({ batchnorm_adaptation: { num_bn_adaptation_samples: 0 } }).batchnorm_adaptation
        .num_bn_adaptation_samples,
    ).toBe(0));
});

describe('staged scheduler and binarization defaults', () => {
  it('staged params: an empty params is no staged scheduler (NNCF: bool(params)); any key fills the rest', () => {
    expect('params' in algo({ algorithm: 'quantization', params: {} })).toBe(false);
    expect(algo({ algorithm: 'quantization', params: { base_lr: 1e-3 } }).params).toEqual({
      activations_quant_start_epoch: 1,
      weights_quant_start_epoch: 1,
      lr_poly_drop_duration_epochs: 30,
      base_lr: 1e-3,
      base_wd: 1e-5,
    });
  });
  it('binarization: mode xnor, always staged, BN adaptation 2000', () => {
    const b = algo({ algorithm: 'binarization' });
    expect(b.mode).toBe('xnor');
    expect(b.params.activations_quant_start_epoch).toBe(1);
    expect(b.params.weights_quant_start_epoch).toBe(1);
    expect(b.initializer.batchnorm_adaptation.num_bn_adaptation_samples).toBe(2000);
    expect(b.validate_scopes).toBe(true);
  });
});

describe('filter_pruning defaults', () => {
  const p = config({ compression: { algorithm: 'filter_pruning' } }).algorithm(
    'filter_pruning',
  ) as ResolvedFilterPruning;
  it('pruning_init 0', () => expect(p.pruning_init).toBe(0));
  it('params', () => {
    expect(p.params).toEqual({
      schedule: 'exponential',
      pruning_target: 0.5,
      pruning_steps: 100,
      num_init_steps: 0,
      filter_importance: 'L2',
      interlayer_ranking_type: 'unweighted_ranking',
      all_weights: false,
      prune_first_conv: false,
      prune_downsample_convs: false,
      prune_batch_norms: true,
    });
  });
  it('BN adaptation 2000', () =>
    expect(p.initializer.batchnorm_adaptation.num_bn_adaptation_samples).toBe(2000));
  it('no pruning_target is filled next to a FLOPs target', () => {
    const params = algo({ algorithm: 'filter_pruning', params: { pruning_flops_target: 0.3 } }).params;
    expect(params.pruning_target).toBeUndefined();
    expect(params.pruning_flops_target).toBe(0.3);
  });
  it('learned_ranking: prune_first_conv, prune_downsample_convs, all_weights true and LeGR defaults', () => {
    const params = algo({
      algorithm: 'filter_pruning',
      params: { interlayer_ranking_type: 'learned_ranking', pruning_target: 0.6 },
    }).params;
    expect([params.all_weights, params.prune_first_conv, params.prune_downsample_convs]).toEqual([
      true,
      true,
      true,
    ]);
    expect(params.legr_params).toEqual({
      generations: 400,
      train_steps: 200,
      random_seed: 42,
      population_size: 64,
      num_samples: 16,
      mutate_percent: 0.1,
      scale_sigma: 1,
      max_pruning: 0.6, // the scheduler's target level
    });
  });
  it('LeGR max_pruning follows a FLOPs target when pruning is FLOPs-driven', () => {
    const params = algo({
      algorithm: 'filter_pruning',
      params: { interlayer_ranking_type: 'learned_ranking', pruning_flops_target: 0.4 },
    }).params;
    expect(params.legr_params.max_pruning).toBe(0.4);
  });
});

describe('sparsity defaults', () => {
  const common = {
    sparsity_level_setting_mode: 'global',
    sparsity_target: 0.5,
    sparsity_target_epoch: 90,
    sparsity_freeze_epoch: 100,
    update_per_optimizer_step: false,
    multistep_steps: [90],
    multistep_sparsity_levels: [0.1, 0.5],
    patience: 1,
    power: 0.9,
    concave: true,
  };
  it('magnitude: polynomial schedule, normed_abs importance, sparsity_init 0', () => {
    const m = algo({ algorithm: 'magnitude_sparsity' });
    expect(m.sparsity_init).toBe(0);
    expect(m.params).toEqual({ ...common, schedule: 'polynomial', weight_importance: 'normed_abs' });
    expect(m.initializer.batchnorm_adaptation.num_bn_adaptation_samples).toBe(2000);
  });
  it('rb: exponential schedule, no initializer', () => {
    const r = algo({ algorithm: 'rb_sparsity' });
    expect(r.sparsity_init).toBe(0);
    expect(r.params).toEqual({ ...common, schedule: 'exponential' });
    expect(r.initializer).toBeUndefined();
  });
  it('const: only validate_scopes', () =>
    expect(algo({ algorithm: 'const_sparsity' })).toEqual({
      algorithm: 'const_sparsity',
      validate_scopes: true,
    }));
  it('movement: structured masking on, power 3, final threshold 0', () => {
    const m = algo({
      algorithm: 'movement_sparsity',
      params: { warmup_start_epoch: 1, warmup_end_epoch: 3, importance_regularization_factor: 0.1 },
    });
    expect(m.params.enable_structured_masking).toBe(true);
    expect(m.params.power).toBe(3.0);
    expect(m.params.final_importance_threshold).toBe(0.0);
    expect(m.params.init_importance_threshold).toBeUndefined(); // decided during training
  });
});

describe('knowledge distillation defaults', () => {
  it('scale 1 and, for softmax, temperature 1', () => {
    expect(algo({ algorithm: 'knowledge_distillation', type: 'softmax' })).toEqual({
      algorithm: 'knowledge_distillation',
      type: 'softmax',
      scale: 1.0,
      temperature: 1.0,
    });
  });
  it('no temperature is filled for mse', () => {
    expect(algo({ algorithm: 'knowledge_distillation', type: 'mse' })).toEqual({
      algorithm: 'knowledge_distillation',
      type: 'mse',
      scale: 1.0,
    });
  });
});

describe('accuracy-aware defaults', () => {
  it('adaptive_compression_level params', () => {
    const aat = config({
      compression: { algorithm: 'filter_pruning' },
      accuracy_aware_training: {
        mode: 'adaptive_compression_level',
        params: {
          maximal_relative_accuracy_degradation: 1,
          initial_training_phase_epochs: 5,
          patience_epochs: 3,
        },
      },
    }).accuracyAwareTraining;
    expect(aat?.params).toEqual({
      maximal_relative_accuracy_degradation: 1,
      initial_training_phase_epochs: 5,
      patience_epochs: 3,
      initial_compression_rate_step: 0.1,
      compression_rate_step_reduction_factor: 0.5,
      lr_reduction_factor: 0.5,
      minimal_compression_rate_step: 0.025,
      maximal_total_epochs: 10000,
    });
  });
  it('early_exit keeps its (schema-required) params as given', () => {
    const params = { maximal_absolute_accuracy_degradation: 2, maximal_total_epochs: 7 };
    expect(
      config({ accuracy_aware_training: { mode: 'early_exit', params } }).accuracyAwareTraining?.params,
    ).toEqual(params);
  });
});

describe('bootstrapNAS defaults', () => {
  const nas = config({
    bootstrapNAS: {
      training: { schedule: { list_stage_descriptions: [{}] }, lr_schedule: { params: {} } },
      search: {},
    },
  }).bootstrapNAS!;
  it('training', () => {
    expect(nas.training?.algorithm).toBe('progressive_shrinking');
    expect(nas.training?.progressivity_of_elasticity).toEqual(['kernel', 'depth', 'width']);
    expect(nas.training?.batchnorm_adaptation).toEqual({ num_bn_adaptation_samples: 2000 });
    expect(nas.training?.lr_schedule?.params?.base_lr).toBe(3.4e-4);
  });
  it('stage descriptor', () => {
    expect(nas.training?.schedule?.list_stage_descriptions?.[0]).toEqual({
      train_dims: ['kernel'],
      epochs: 1,
      depth_indicator: 1,
      width_indicator: 1,
      reorg_weights: false,
      bn_adapt: false,
      sample_rate: 1,
    });
  });
  it('elasticity', () => {
    expect(nas.training?.elasticity).toEqual({
      available_elasticity_dims: ['width', 'depth', 'kernel'],
      width: { min_width: 32, max_num_widths: -1, width_step: 32, filter_importance: 'L1' },
      depth: { min_block_size: 5, max_block_size: 50, hw_fused_ops: true },
      kernel: { max_num_kernels: -1 },
    });
  });
  it('search', () => {
    expect(nas.search).toEqual({
      algorithm: 'NSGA2',
      num_evals: 3000,
      num_constraints: 0,
      population: 40,
      crossover_prob: 0.9,
      crossover_eta: 10.0,
      mutation_prob: 0.02,
      mutation_eta: 3.0,
      acc_delta: 1,
      ref_acc: -1,
      epsilon: 0.001,
      extreme_points_as_ref_points: false,
      batchnorm_adaptation: { num_bn_adaptation_samples: 2000 },
    });
  });
});

describe('code-level defaults that no valid config can set (exported for the algorithms)', () => {
  it('have NNCF values', async () => {
    const { CONFIG_DEFAULTS: D } = await import('../../src/config/index.js');
    expect(D.ADAPTIVE_SPARSITY_SCHEDULER_DEFAULTS).toEqual({ step: 0.05, eps: 0.03 });
    expect(D.ACCURACY_AWARE_CODE_DEFAULTS).toEqual({
      maximal_total_epochs: 10000,
      initial_training_phase_epochs: 5,
      patience_epochs: 3,
      maximal_relative_accuracy_degradation: 1.0,
    });
    expect(D.NAS_STAGE_INIT_LR_DEFAULT).toBe(3.5e-6);
    expect(D.NAS_GLOBAL_BASE_LR_DEFAULT).toBe(3.4e-4);
    expect(D.NAS_SEARCH_ASPIRATION_POINTS_CODE_DEFAULT).toEqual([[0, 0]]);
    expect(D.LEGR_MAX_PRUNING_SCHEMA_DEFAULT).toBe(0.8);
    expect(D.VALIDATE_SCOPES_DEFAULT).toBe(true);
  });
});
