/** spec/test-catalogue.md §1: config validation behaviours of NNCF's own test-suite. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { validateConfigFile, NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import { FIXTURES, validFixtures } from './helpers.js';

const invalid = (name: string) => validateConfigFile(join(FIXTURES, 'invalid', name));
const firstError = (name: string) => invalid(name).issues[0];

describe('§1.1 good configs validate, bad fixtures raise a schema validation error', () => {
  it('all good configs validate', () => {
    for (const file of validFixtures()) expect(validateConfigFile(file).valid, file).toBe(true);
  });
  it('bad_algo: unknown algorithm name', () => {
    expect(firstError('bad_algo.json')).toMatchObject({
      kind: 'schema',
      path: 'compression.algorithm',
      line: 3,
      column: 21,
    });
    expect(firstError('bad_algo.json').message).toMatch(
      /^Incorrect algorithm name - must be one of \[quantization, /,
    );
  });
  it('bitwidth_per_scope given as [scope, bits]', () => {
    expect(firstError('hawq_bitwidth_per_scope_format_mismatch.json')).toMatchObject({
      kind: 'schema',
      path: 'compression.initializer.precision.bitwidth_per_scope[0][0]',
      expected: 'number',
      hint: 'bitwidth_per_scope items are [bits, scope] pairs; this one is written [scope, bits]',
    });
  });
  it('sparsity keys inside a quantization params', () => {
    expect(invalid('sparsity_keys_in_quantization_params.json').issues.map((i) => i.path)).toEqual([
      'compression.params.sparsity_init',
      'compression.params.sparsity_target',
      'compression.params.sparsity_target_epoch',
    ]);
  });
  it('num_init_steps directly inside initializer', () => {
    expect(firstError('num_init_steps_in_initializer.json')).toMatchObject({
      kind: 'schema',
      path: 'compression.initializer.num_init_steps',
      line: 5,
      column: 25,
    });
  });
});

describe('§1.2 full movement sparsity and full NAS configs are good', () => {
  it('movement sparsity with fine/block/per_dim', () => {
    const config = NNCFConfig.fromFile(join(FIXTURES, 'nlp', 'bert_mrpc_movement_sparsity.json'));
    const section = config.algorithm('movement_sparsity')!;
    expect(section.sparse_structure_by_scopes?.map((s) => s.mode)).toEqual([
      'block',
      'per_dim',
      'per_dim',
      'fine',
    ]);
    expect(section.params?.importance_regularization_factor).toBe(0.2);
  });
  it('bootstrapNAS at the top level with training and search', () => {
    const config = NNCFConfig.fromFile(join(FIXTURES, 'nas', 'resnet50_cifar10_bootstrapnas.json'));
    expect(config.bootstrapNAS?.training?.schedule?.list_stage_descriptions).toHaveLength(4);
    expect(config.bootstrapNAS?.search?.ref_acc).toBe(93.65);
    expect(config.algorithms).toEqual([]);
  });
});

describe('§1.3 accuracy-aware (adaptive) combinations', () => {
  it('filter_pruning + quantization accepted', () => {
    expect(
      validateConfigFile(join(FIXTURES, 'misc', 'resnet18_pruning_quantization_adaptive.json')).valid,
    ).toBe(true);
  });
  it('quantization alone rejected', () => {
    expect(firstError('adaptive_quantization_only.json')).toMatchObject({
      kind: 'rule',
      path: 'accuracy_aware_training.mode',
      line: 4,
      column: 9,
    });
  });
  it('filter_pruning + rb_sparsity rejected', () => {
    expect(firstError('adaptive_pruning_rb_sparsity.json')).toMatchObject({
      kind: 'rule',
      path: 'accuracy_aware_training.mode',
    });
  });
  it('the same pruning + sparsity combination with early_exit accepted', () => {
    expect(
      validateConfigFile(join(FIXTURES, 'misc', 'resnet50_pruning_rb_sparsity_early_exit.json')).valid,
    ).toBe(true);
  });
});

describe('§1.6 extra structs (config side)', () => {
  it('registering the same struct type twice raises', () => {
    const config = NNCFConfig.fromObject({ compression: { algorithm: 'quantization' } });
    config.registerExtraStructs([new QuantizationRangeInitArgs([])]);
    expect(() => config.registerExtraStructs([new QuantizationRangeInitArgs([])])).toThrow(
      /already registered/,
    );
  });
  it('num_init_samples: 0 is a valid range config (quantization can run without a loader)', () => {
    const config = NNCFConfig.fromObject({
      compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 0 } } },
    });
    expect(
      (config.algorithm('quantization')!.initializer.range as { num_init_samples: number }).num_init_samples,
    ).toBe(0);
  });
});
