/**
 * createCompressedModel on a model exported with a fixed batch: range init and BN adaptation read the
 * data at the model's batch whatever the loader's batch size, and say so once per compressed model.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCompressedModel, findQuantizationController } from '../../src/api.js';
import { BNAdaptationInitArgs, NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import { Dataset, ndarray } from '../../src/data/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { atModelBatch, batchSizeForModel, newBatchNotes } from '../../src/initialization/index.js';
import { mobilenetV2Style } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';

const config = () =>
  NNCFConfig.fromObject({
    input_info: { sample_size: [1, 3, 16, 16] },
    compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 12 }, batchnorm_adaptation: { num_bn_adaptation_samples: 12 } } },
  });
const data = () => new Dataset(ndarray('float32', [12, 3, 16, 16], seededFloats(12 * 3 * 16 * 16, 5)));

afterEach(() => vi.restoreAllMocks());

describe('fixed batch through the API', () => {
  it('a [1,3,16,16] model with the default loader batch (32): calibrated and BN-adapted one sample at a time, said once', async () => {
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const graph = await loadOnnxModel(mobilenetV2Style({ batch: 1, size: 16 }).bytes);
    const r = await createCompressedModel(graph, config(), { initDataset: data() });
    const ctrl = findQuantizationController(r.controller)!;
    // NNCF's BN adaptation runs ceil(samples / batch) steps: 12 at batch 1 (1 at the loader's 32)
    expect(ctrl.bnAdaptationSteps).toBe(12);
    const notes = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('fixed batch'));
    expect(notes).toEqual([
      'nncf-ts: the model\'s input "input" has a fixed batch of 1 ([1,3,16,16]): initialization data is fed 1 sample at a time instead of batches of 32\n',
    ]);
    r.controller.dispose();
    r.model.engine.dispose();
  }, 180_000);

  it('a dynamic-batch model keeps the loader batch and says nothing', async () => {
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const graph = await loadOnnxModel(mobilenetV2Style({ size: 16 }).bytes);
    const cfg = config();
    cfg.registerExtraStructs([new QuantizationRangeInitArgs({ dataset: data(), batchSize: 4 }), new BNAdaptationInitArgs({ dataset: data(), batchSize: 4 })]);
    const r = await createCompressedModel(graph, cfg);
    expect(findQuantizationController(r.controller)!.bnAdaptationSteps).toBe(3);
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('fixed batch'))).toHaveLength(0);
    r.controller.dispose();
    r.model.engine.dispose();
  }, 180_000);
});

describe('batchSizeForModel / atModelBatch', () => {
  const input = (shape: (number | string | null)[] | null) => ({ name: 'x', dtype: 'float32' as const, shape });
  it('uses a fixed batch dimension and says so; keeps the request otherwise', () => {
    expect(batchSizeForModel(input([1, 3, 8, 8]), 32, '--batch-size 32')).toEqual({
      batchSize: 1,
      note: 'the model\'s input "x" has a fixed batch of 1 ([1,3,8,8]): initialization data is fed 1 sample at a time instead of --batch-size 32',
    });
    expect(batchSizeForModel(input([4, 3]), 32)).toEqual({
      batchSize: 4,
      note: 'the model\'s input "x" has a fixed batch of 4 ([4,3]): initialization data is fed 4 samples at a time instead of batches of 32',
    });
    expect(batchSizeForModel(input([4, 3]), 4)).toEqual({ batchSize: 4 });
    expect(batchSizeForModel(input(['N', 3]), 32)).toEqual({ batchSize: 32 });
    expect(batchSizeForModel(input([null, 3]), 16)).toEqual({ batchSize: 16 });
    expect(batchSizeForModel(input(null), 8)).toEqual({ batchSize: 8 });
  });

  it('atModelBatch: one note per key, the same loader object when nothing changes', async () => {
    const lines: string[] = [];
    const notes = newBatchNotes((l) => lines.push(l));
    const fixed = await loadOnnxModel(mobilenetV2Style({ batch: 1, size: 16 }).bytes);
    const dynamic = await loadOnnxModel(mobilenetV2Style({ size: 16 }).bytes);
    const loader = { dataset: data(), batchSize: 8 };
    const [a, b] = [{}, {}];
    expect(atModelBatch(fixed, loader, notes, a).batchSize).toBe(1);
    expect(atModelBatch(fixed, loader, notes, a).batchSize).toBe(1);
    expect(lines).toHaveLength(1);
    atModelBatch(fixed, loader, notes, b);
    expect(lines).toHaveLength(2);
    expect(atModelBatch(dynamic, loader, notes, a)).toBe(loader);
    expect(loader.batchSize).toBe(8);
  });
});
