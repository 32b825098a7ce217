import { describe, expect, it } from 'vitest';
import {
  NNCFConfig,
  QuantizationRangeInitArgs,
  BNAdaptationInitArgs,
  QuantizationPrecisionInitArgs,
  AutoQPrecisionInitArgs,
  ModelEvaluationArgs,
  LeGRInitArgs,
  DuplicateExtraStructError,
  NNCF_CONFIG_SCHEMA,
  ALGORITHM_SCHEMAS,
  ALGORITHM_NAMES,
} from '../../src/config/index.js';

const document = {
  model: 'resnet18',
  input_info: { sample_size: [1, 3, 32, 32] },
  compression_lr_multiplier: 2,
  log_dir: 'runs/a',
  compression: [
    { algorithm: 'quantization', compression_lr_multiplier: 0.5 },
    { algorithm: 'filter_pruning', params: { pruning_target: 0.3 } },
  ],
};

describe('NNCFConfig typed access', () => {
  const config = NNCFConfig.fromObject(document);

  it('normalises input_info to a list', () => {
    expect(config.inputInfo).toEqual([{ sample_size: [1, 3, 32, 32] }]);
    expect(
      NNCFConfig.fromObject({ input_info: [{ sample_size: [1] }, { sample_size: [2] }] }).inputInfo,
    ).toHaveLength(2);
  });
  it('lists algorithms in order and finds them by name', () => {
    expect(config.algorithms.map((a) => a.algorithm)).toEqual(['quantization', 'filter_pruning']);
    expect(config.algorithm('filter_pruning')?.params.pruning_target).toBe(0.3);
    expect(config.algorithm('filter_pruning')?.params.pruning_steps).toBe(100);
    expect(config.hasAlgorithm('rb_sparsity')).toBe(false);
    expect(NNCFConfig.fromObject({ compression: { algorithm: 'rb_sparsity' } }).algorithms).toHaveLength(1);
  });
  it('resolves compression_lr_multiplier: the algorithm key wins over the top level', () => {
    expect(config.compressionLrMultiplier('quantization')).toBe(0.5);
    expect(config.compressionLrMultiplier('filter_pruning')).toBe(2);
  });
  it('keeps training-script keys readable', () => {
    expect(config.get('model')).toBe('resnet18');
    expect(config.get('target_device')).toBe('ANY');
    expect(config.get('toString')).toBeUndefined();
    expect(config.logDir).toBe('runs/a');
  });
  it('is deeply read-only and separate from the input object', () => {
    expect(Object.isFrozen(config.resolved)).toBe(true);
    expect(Object.isFrozen(config.algorithms[1])).toBe(true);
    expect(() => {
      (config.document as any).compression[0].algorithm = 'binarization';
    }).toThrow(TypeError);
    const input = structuredClone(document);
    const copy = NNCFConfig.fromObject(input);
    input.compression[0].algorithm = 'binarization';
    expect(copy.algorithms[0].algorithm).toBe('quantization');
  });
  it('document is the config as written, resolved has the defaults', () => {
    expect(config.document.target_device).toBeUndefined();
    expect(config.resolved.target_device).toBe('ANY');
    expect(JSON.parse(JSON.stringify(config))).toEqual(document);
  });
  it('reads VPU as the pre-2.9 alias of NPU', () => {
    const vpu = NNCFConfig.fromObject({ target_device: 'VPU' });
    expect([vpu.targetDevice, vpu.normalizedTargetDevice]).toEqual(['VPU', 'NPU']);
    expect(NNCFConfig.fromObject({}).normalizedTargetDevice).toBe('ANY');
    expect(NNCFConfig.fromObject({ target_device: 'CPU_SPR' }).normalizedTargetDevice).toBe('CPU_SPR');
  });
  it('remembers the file it came from', () => {
    expect(NNCFConfig.fromText('{}', 'x.json').file).toBe('x.json');
  });
});

describe('extra structs', () => {
  const loader = [[1, 2, 3]];
  it('attaches runtime objects by kind', () => {
    const config = NNCFConfig.fromObject({});
    const range = new QuantizationRangeInitArgs(loader, 'cpu');
    const bn = new BNAdaptationInitArgs(loader);
    config.registerExtraStructs([range, bn]);
    expect(config.getExtraStruct(QuantizationRangeInitArgs)).toBe(range);
    expect(config.getExtraStruct(QuantizationRangeInitArgs)?.dataLoader).toBe(loader);
    expect(config.getExtraStruct(BNAdaptationInitArgs)?.device).toBeUndefined();
    expect(config.hasExtraStruct(ModelEvaluationArgs)).toBe(false);
    expect(config.getExtraStruct(ModelEvaluationArgs)).toBeUndefined();
  });
  it('registering the same struct type twice raises', () => {
    const config = NNCFConfig.fromObject({});
    config.registerExtraStructs([new ModelEvaluationArgs(() => 1)]);
    expect(() => config.registerExtraStructs([new ModelEvaluationArgs(() => 2)])).toThrow(
      DuplicateExtraStructError,
    );
    expect(() => config.registerExtraStructs([new ModelEvaluationArgs(() => 2)])).toThrow(
      'model_evaluation_args is already registered as extra struct in NNCFConfig',
    );
  });
  it('every struct kind has its own id', () => {
    const structs = [
      new QuantizationRangeInitArgs(loader),
      new BNAdaptationInitArgs(loader),
      new QuantizationPrecisionInitArgs((o, t) => [o, t], 'ce', loader),
      new AutoQPrecisionInitArgs(loader, () => 0.5),
      new ModelEvaluationArgs(() => 0.7),
      new LeGRInitArgs(
        loader,
        () => undefined,
        loader,
        () => [0.9, 0.1] as const,
      ),
    ];
    const config = NNCFConfig.fromObject({}).registerExtraStructs(structs);
    expect(structs.map((s) => s.structId)).toEqual([
      'quantization_range_init_args',
      'bn_adaptation_init_args',
      'quantization_precision_init_args',
      'autoq_precision_init_args',
      'model_evaluation_args',
      'legr_init_args',
    ]);
    expect(config.getExtraStruct(QuantizationPrecisionInitArgs)?.criterion).toBe('ce');
  });
  it('structs do not leak between configs', () => {
    const a = NNCFConfig.fromObject({}).registerExtraStructs([new ModelEvaluationArgs(() => 1)]);
    const b = NNCFConfig.fromObject({});
    expect(a.hasExtraStruct(ModelEvaluationArgs)).toBe(true);
    expect(b.hasExtraStruct(ModelEvaluationArgs)).toBe(false);
  });
});

describe('the schema', () => {
  it('is draft-07 JSON Schema with one sub-schema per algorithm', () => {
    expect(NNCF_CONFIG_SCHEMA.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(ALGORITHM_SCHEMAS)).toEqual([...ALGORITHM_NAMES]);
    for (const name of ALGORITHM_NAMES) {
      expect((ALGORITHM_SCHEMAS[name] as any).properties.algorithm).toEqual({ const: name });
      expect((ALGORITHM_SCHEMAS[name] as any).additionalProperties).toBe(false);
    }
    expect(JSON.parse(JSON.stringify(NNCF_CONFIG_SCHEMA))).toEqual(NNCF_CONFIG_SCHEMA);
  });
});
