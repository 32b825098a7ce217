/** For every algorithm (and top-level section), a config that uses every one of its keys. */

const scopes = {
  ignored_scopes: ['{re}.*fc.*', 'Net/ReLU[relu]/relu_0'],
  target_scopes: '{re}.*conv.*',
  validate_scopes: false,
};

const fullInitializer = {
  batchnorm_adaptation: { num_bn_adaptation_samples: 1024 },
  range: { num_init_samples: 128, type: 'percentile', params: { min_percentile: 0.5, max_percentile: 99.5 } },
  precision: {
    type: 'hawq',
    bits: [4, 8],
    num_data_points: 50,
    iter_number: 100,
    tolerance: 1e-3,
    compression_ratio: 1.2,
    eval_subset_ratio: 0.5,
    warmup_iter_number: 10,
    bitwidth_per_scope: [
      [4, 'Net/NNCFConv2d[conv1]/conv2d_0|WEIGHT'],
      [8, 'Net/ReLU[relu]/relu_0|OUTPUT'],
    ],
    traces_per_layer_path: 'traces.pth',
    dump_init_precision_data: true,
    bitwidth_assignment_mode: 'strict',
  },
};

const stagedParams = {
  batch_multiplier: 2,
  activations_quant_start_epoch: 3,
  weights_quant_start_epoch: 5,
  lr_poly_drop_start_epoch: 10,
  lr_poly_drop_duration_epochs: 20,
  disable_wd_start_epoch: 15,
  base_lr: 2e-4,
  base_wd: 1e-6,
};

const group = {
  mode: 'asymmetric',
  bits: 4,
  signed: true,
  per_channel: true,
  logarithm_scale: true,
  ...scopes,
};

function fullQuantization(algorithm: string) {
  return {
    algorithm,
    initializer: fullInitializer,
    preset: 'mixed',
    quantize_inputs: false,
    quantize_outputs: true,
    weights: group,
    activations: { ...group, unified_scale_ops: [['Net/add_0', 'Net/add_1']] },
    scope_overrides: {
      weights: {
        'Net/NNCFConv2d[conv1]/conv2d_0': { mode: 'symmetric', bits: 8, signed: false, per_channel: false },
      },
      activations: {
        '{re}.*conv_first.*': {
          mode: 'asymmetric',
          initializer: {
            range: {
              num_init_samples: 16,
              type: 'min_max',
              params: { min_percentile: 1, max_percentile: 99 },
            },
          },
        },
      },
    },
    export_to_onnx_standard_ops: true,
    overflow_fix: 'first_layer_only',
    params: stagedParams,
    ...scopes,
    compression_lr_multiplier: 0.5,
  };
}

const sparsityParams = {
  sparsity_level_setting_mode: 'local',
  schedule: 'multistep',
  sparsity_target: 0.7,
  sparsity_target_epoch: 20,
  sparsity_freeze_epoch: 30,
  update_per_optimizer_step: true,
  steps_per_epoch: 100,
  multistep_steps: [5, 10],
  multistep_sparsity_levels: [0.2, 0.4, 0.6],
  patience: 2,
  power: 2,
  concave: false,
};

export const FULL_SECTIONS: Record<string, Record<string, unknown>> = {
  quantization: fullQuantization('quantization'),
  experimental_quantization: fullQuantization('experimental_quantization'),
  binarization: {
    algorithm: 'binarization',
    mode: 'dorefa',
    initializer: fullInitializer,
    params: stagedParams,
    ...scopes,
    compression_lr_multiplier: 3,
  },
  filter_pruning: {
    algorithm: 'filter_pruning',
    initializer: { batchnorm_adaptation: { num_bn_adaptation_samples: 512 } },
    pruning_init: 0.1,
    params: {
      schedule: 'exponential_with_bias',
      pruning_target: 0.4,
      pruning_flops_target: 0, // falsy: NNCF only rejects both targets when both are set (truthy)
      pruning_steps: 20,
      num_init_steps: 2,
      filter_importance: 'L1',
      interlayer_ranking_type: 'learned_ranking',
      all_weights: true,
      prune_first_conv: true,
      prune_downsample_convs: true,
      prune_batch_norms: false,
      legr_params: {
        generations: 100,
        train_steps: 50,
        max_pruning: 0.7,
        random_seed: 1,
        population_size: 32,
        num_samples: 8,
        mutate_percent: 0.2,
        scale_sigma: 2,
      },
      save_ranking_coeffs_path: 'coeffs.json',
      load_ranking_coeffs_path: 'coeffs-in.json',
    },
    ...scopes,
  },
  magnitude_sparsity: {
    algorithm: 'magnitude_sparsity',
    sparsity_init: 0.1,
    initializer: { batchnorm_adaptation: { num_bn_adaptation_samples: 256 } },
    params: { ...sparsityParams, weight_importance: 'abs' },
    ...scopes,
  },
  rb_sparsity: {
    algorithm: 'rb_sparsity',
    sparsity_init: 0.05,
    params: sparsityParams,
    ...scopes,
    compression_lr_multiplier: 4,
  },
  const_sparsity: { algorithm: 'const_sparsity', ...scopes },
  movement_sparsity: {
    algorithm: 'movement_sparsity',
    params: {
      warmup_start_epoch: 1,
      warmup_end_epoch: 3,
      importance_regularization_factor: 0.1,
      enable_structured_masking: false,
      power: 2,
      init_importance_threshold: -0.5,
      final_importance_threshold: 0.1,
      steps_per_epoch: 50,
    },
    sparse_structure_by_scopes: [
      { mode: 'block', sparse_factors: [16, 16], target_scopes: '{re}.*attention.*' },
      { mode: 'per_dim', axis: 0, target_scopes: ['{re}.*intermediate.*'] },
      { mode: 'fine', target_scopes: '{re}.*output.*' },
    ],
    ...scopes,
    compression_lr_multiplier: 1.5,
  },
  knowledge_distillation: { algorithm: 'knowledge_distillation', type: 'softmax', scale: 2, temperature: 3 },
};

export const FULL_TOP_LEVEL = {
  input_info: [
    { sample_size: [1, 128], type: 'long', filler: 'ones', keyword: 'input_ids' },
    { sample_size: [1, 128], type: 'long', filler: 'zeros', keyword: 'attention_mask' },
  ],
  target_device: 'TRIAL',
  compression_lr_multiplier: 2,
  disable_shape_matching: true,
  log_dir: 'runs/x',
};

export const FULL_EARLY_EXIT = {
  mode: 'early_exit',
  params: { maximal_relative_accuracy_degradation: 1, maximal_total_epochs: 20 },
};

export const FULL_ADAPTIVE = {
  mode: 'adaptive_compression_level',
  params: {
    maximal_absolute_accuracy_degradation: 0.5,
    initial_training_phase_epochs: 4,
    patience_epochs: 2,
    initial_compression_rate_step: 0.2,
    compression_rate_step_reduction_factor: 0.25,
    lr_reduction_factor: 0.3,
    minimal_compression_rate_step: 0.01,
    maximal_total_epochs: 40,
  },
};

export const FULL_BOOTSTRAP_NAS = {
  training: {
    algorithm: 'progressive_shrinking',
    progressivity_of_elasticity: ['kernel', 'width', 'depth'],
    batchnorm_adaptation: { num_bn_adaptation_samples: 100 },
    schedule: {
      list_stage_descriptions: [
        {
          train_dims: ['kernel', 'width'],
          epochs: 2,
          depth_indicator: 2,
          width_indicator: 3,
          reorg_weights: true,
          bn_adapt: true,
          init_lr: 1e-4,
          epochs_lr: 2,
          sample_rate: 2,
        },
      ],
    },
    elasticity: {
      available_elasticity_dims: ['width', 'kernel'],
      ignored_scopes: ['Net/fc'],
      target_scopes: '{re}.*',
      width: {
        min_width: 8,
        max_num_widths: 4,
        width_step: 8,
        width_multipliers: [1, 0.5],
        filter_importance: 'external',
        external_importance_path: 'imp.pth',
      },
      depth: {
        skipped_blocks: [['Net/a', 'Net/b']],
        min_block_size: 2,
        max_block_size: 20,
        hw_fused_ops: false,
      },
      kernel: { max_num_kernels: 2 },
    },
    lr_schedule: { params: { base_lr: 1e-3 } },
    train_steps: 1000,
  },
  search: {
    algorithm: 'RNSGA2',
    batchnorm_adaptation: { num_bn_adaptation_samples: 50 },
    num_evals: 100,
    num_constraints: 1,
    population: 10,
    crossover_prob: 0.8,
    crossover_eta: 5,
    mutation_prob: 0.1,
    mutation_eta: 2,
    acc_delta: 2,
    ref_acc: 90,
    aspiration_points: [0.3, 0.7],
    epsilon: 0.01,
    weights: 0.4,
    extreme_points_as_ref_points: true,
    compression: { algorithm: 'knowledge_distillation', type: 'mse', scale: 1 },
  },
};
