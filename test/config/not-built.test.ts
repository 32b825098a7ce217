/**
 * Sections that validate but are not built yet are refused by name (API: CompressionError; CLI: exit 1),
 * `compress` with nothing to compress fails with the did-you-mean, `train` without compression
 * fine-tunes the FP32 model.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel } from '../../src/api.js';
import {
  CompressionError,
  NAS_ROUTE,
  NOT_BUILT_YET,
  notBuiltMessage,
  registeredAlgorithms,
  unbuiltSections,
} from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { runCli } from '../helpers/cli.js';
import { DIGITS, digitsCnn } from '../training/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-not-built-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: object) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
};
const INPUT = { input_info: { sample_size: [1, 1, 8, 8] } };
const NAS_ONLY = { ...INPUT, bootstrapNAS: { training: { algorithm: 'progressive_shrinking' } } };
const AAT = {
  ...INPUT,
  accuracy_aware_training: {
    mode: 'early_exit',
    params: { maximal_relative_accuracy_degradation: 1, maximal_total_epochs: 2 },
  },
  compression: { algorithm: 'quantization' },
};
const BUILT = 'Built: binarization, const_sparsity, experimental_quantization, filter_pruning, knowledge_distillation, magnitude_sparsity, movement_sparsity, quantization, rb_sparsity';
let model: string;
beforeAll(() => {
  model = join(dir, 'm.onnx');
  writeFileSync(model, digitsCnn().bytes);
});

describe('building refuses what is not built yet, by name (API)', () => {
  const refused = async (doc: object) => {
    const graph = digitsCnn().graph;
    const err = await createCompressedModel(graph, NNCFConfig.fromObject(doc)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompressionError);
    return err as CompressionError;
  };

  it('bootstrapNAS alone', async () => {
    const err = await refused(NAS_ONLY);
    expect(err.section).toBe('bootstrapNAS');
    // built, but as its own training (createProgressiveShrinking): compress/train say where it runs
    expect(err.message).toBe(`"bootstrapNAS" is not run by compress or train: ${NAS_ROUTE}`);
  });

  it('accuracy_aware_training is built (a training loop): building with it is not refused', () => {
    expect(unbuiltSections(NNCFConfig.fromObject(AAT))).toEqual([]);
  });

  it('experimental_quantization and movement_sparsity are built: only bootstrapNAS is refused', async () => {
    const doc = {
      ...NAS_ONLY,
      compression: [
        { algorithm: 'experimental_quantization' },
        {
          algorithm: 'movement_sparsity',
          params: { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 0.1 },
        },
      ],
    };
    const err = await refused(doc);
    expect(unbuiltSections(NNCFConfig.fromObject(doc))).toEqual(['bootstrapNAS']);
    expect(err.message.split('\n')).toEqual([notBuiltMessage('bootstrapNAS')]);
  });

  it('the "built" list names only algorithms that build', () => {
    expect(notBuiltMessage('x')).toBe(
      `"x" is not built yet in nncf-ts: no builder is registered for it. ${BUILT}`,
    );
    expect(
      unbuiltSections(
        NNCFConfig.fromObject({
          compression: [{ algorithm: 'quantization' }, { algorithm: 'knowledge_distillation', type: 'mse' }],
        }),
      ),
    ).toEqual([]);
  });
});

describe('validate says OK, and notes what compress/train would refuse', () => {
  it('notes each not-built section of a valid config, exit 0', async () => {
    const config = file('nas-aat.json', {
      ...AAT,
      bootstrapNAS: NAS_ONLY.bootstrapNAS,
      compression: [{ algorithm: 'experimental_quantization' }],
    });
    const r = await runCli('validate', config);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `OK ${config}\n` +
        ([] as string[])
          .map(
            (s) =>
              `  note: "${s}" is valid NNCF but not built yet in nncf-ts: compress and train refuse it\n`,
          )
          .join(''),
    );
    const plain = file('plain.json', { ...INPUT, compression: { algorithm: 'quantization' } });
    expect((await runCli('validate', plain)).out).toBe(`OK ${plain}\n`);
  });

  it('a near-miss top-level key is a warning under OK, with the did-you-mean', async () => {
    const config = file('typo-validate.json', { ...INPUT, compresion: { algorithm: 'quantization' } });
    const r = await runCli('validate', config);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `OK ${config}\n  ${config}:1:41: warning: compresion: unknown top-level key "compresion" is ignored - did you mean "compression"?\n`,
    );
  });

  it('NOT_BUILT_YET names no algorithm that is registered (a built algorithm must leave the list)', () => {
    expect(registeredAlgorithms()).toEqual(['binarization', 'const_sparsity', 'experimental_quantization', 'filter_pruning', 'knowledge_distillation', 'magnitude_sparsity', 'movement_sparsity', 'quantization', 'rb_sparsity']);
    expect(Object.keys(NOT_BUILT_YET).filter((name) => registeredAlgorithms().includes(name))).toEqual([]);
  });
});

describe('compress and train refuse them before any work (CLI, exit 1)', () => {
  const junk = (name: string) => {
    writeFileSync(join(dir, name), 'not data');
    return join(dir, name);
  };
  // The data files exist but are not data: loading them would fail with another message, so the
  // refusal shows it came before any data was read.
  const compress = (config: string) =>
    runCli(
      'compress',
      '--model',
      model,
      '--config',
      config,
      '--data',
      junk('junk.npy'),
      '--out',
      join(dir, 'o.onnx'),
    );
  const train = (config: string) =>
    runCli(
      'train',
      '--model',
      model,
      '--config',
      config,
      '--train',
      junk('junk.npz'),
      '--val',
      junk('junk.npz'),
      '--out',
      join(dir, 'o.onnx'),
      '--no-progress',
    );

  it.each([['NAS only', NAS_ONLY, 'bootstrapNAS']])('%s', async (_name, doc, section) => {
    const config = file(`${section}.json`, doc);
    for (const run of [compress, train]) {
      const r = await run(config);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`nncf-ts: "${section}" is not run by compress or train: ${NAS_ROUTE}`);
      expect(r.out).toBe('');
    }
  });

  it('compress with nothing to compress: exit 1, with the did-you-mean for a near-miss key', async () => {
    const typo = await compress(file('typo.json', { ...INPUT, compresion: { algorithm: 'quantization' } }));
    expect(typo.code).toBe(1);
    expect(typo.err).toBe(
      `nncf-ts: ${join(dir, 'typo.json')}:1:41: warning: compresion: unknown top-level key "compresion" is ignored - did you mean "compression"?\n` +
        'nncf-ts: nothing to compress: the config has no "compression" section; found "compresion" - did you mean "compression"? ' +
        '(compress needs at least one algorithm; train without one fine-tunes the FP32 model)\n',
    );
    const none = await compress(file('none.json', { ...INPUT, epochs: 3 }));
    expect(none.code).toBe(1);
    expect(none.err).toBe(
      'nncf-ts: nothing to compress: the config has no "compression" section (compress needs at least one algorithm; train without one fine-tunes the FP32 model)\n',
    );
  });

  it('compress with knowledge_distillation alone: exit 1, nothing to compress', async () => {
    const r = await compress(
      file('kd.json', { ...INPUT, compression: { algorithm: 'knowledge_distillation', type: 'mse' } }),
    );
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'nncf-ts: nothing to compress: knowledge_distillation only adds a loss to training, and compress trains nothing (use train)\n',
    );
  });

  it('compress says which keys only act in training (KD next to quantization, compression_lr_multiplier, staged lr keys)', async () => {
    const doc = {
      ...INPUT,
      compression_lr_multiplier: 10,
      compression: [
        {
          algorithm: 'quantization',
          initializer: {
            range: { num_init_samples: 32 },
            batchnorm_adaptation: { num_bn_adaptation_samples: 0 },
          },
          params: {
            activations_quant_start_epoch: 0,
            weights_quant_start_epoch: 0,
            base_lr: 1e-3,
            batch_multiplier: 2,
          },
        },
        { algorithm: 'knowledge_distillation', type: 'softmax' },
      ],
    };
    const out = join(dir, 'q.onnx');
    const r = await runCli(
      'compress',
      '--model',
      model,
      '--config',
      file('q-kd.json', doc),
      '--data',
      DIGITS,
      '--preprocess',
      'scale=0.0625',
      '--limit',
      '64',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.err.split('\n').filter((line) => line.includes('warning'))).toEqual([
      'nncf-ts: warning: knowledge_distillation has no effect here: knowledge_distillation only adds a loss to training, and compress trains nothing (use train)',
      'nncf-ts: warning: compression_lr_multiplier has no effect here: it scales training updates, and compress trains nothing',
      'nncf-ts: warning: quantization.params batch_multiplier, base_lr have no effect here: they drive training, and compress trains nothing',
    ]);
  }, 240_000);

  it('train without compression fine-tunes the FP32 model (and prints the near-miss warning)', async () => {
    const config = file('fp32.json', {
      ...INPUT,
      epochs: 1,
      batch_size: 64,
      optimizer: { type: 'sgd', base_lr: 0.05 },
      compresion: {},
    });
    const out = join(dir, 'fp32.onnx');
    const r = await runCli(
      'train',
      '--model',
      model,
      '--config',
      config,
      '--train',
      DIGITS,
      '--val',
      DIGITS,
      '--out',
      out,
      '--preprocess',
      'scale=0.0625',
      '--no-progress',
    );
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      'warning: compresion: unknown top-level key "compresion" is ignored - did you mean "compression"?',
    );
    // the CNN starts from random weights (10 classes): one SGD epoch of the FP32 weights must have learnt
    expect(Number(/^epoch 0: .*val acc ([\d.]+)/m.exec(r.out)?.[1])).toBeGreaterThan(0.5);
    // trained: same size (no quantizers added), different weights
    const before = readFileSync(model);
    const after = readFileSync(out);
    expect(after.length).toBeGreaterThan(before.length * 0.9);
    expect(after.length).toBeLessThan(before.length * 1.1);
    expect(Buffer.compare(before, after)).not.toBe(0);
    expect(r.out).not.toMatch(/Quantize/);
  }, 240_000);
});
