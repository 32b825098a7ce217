import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../src/engine/index.js';
import { ConfigValidationError, NNCFConfig } from '../../src/config/index.js';
import { createCompressedModel, exampleFeeds, resolveInputInfo } from '../../src/compression/index.js';
import type { Dim, DType } from '../../src/graph/index.js';
import '../../src/api.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runCli } from '../helpers/cli.js';
import { encodeNpy, ndarray } from '../../src/data/index.js';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** x (and optionally ids) → Relu(x): just enough graph for the inputs to matter. */
function model(x: Dim[], ids?: { shape: Dim[]; dtype: DType }) {
  const b = new OnnxBuilder({ opset: 17, seed: 1 });
  const xi = b.input('x', x);
  if (ids) b.input('ids', ids.shape, ids.dtype);
  b.output(b.node('Relu', [xi]));
  return b.toGraph();
}
const cfg = (input_info: unknown) => NNCFConfig.fromObject({ input_info });
const error = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigValidationError');
};

describe('input_info against the model', () => {
  it('a static non-batch mismatch names the input, the config value and the model shape', () => {
    const msg = error(() => resolveInputInfo(model([1, 1, 28, 28]), cfg({ sample_size: [1, 7, 99, 99] })));
    expect(msg).toBe(
      'input_info.sample_size: [1,7,99,99] does not match model input "x" of shape [1,1,28,28]: dim 1 is 7 in the config, 1 in the model',
    );
  });

  it('dynamic dims take the config value; a static batch mismatch keeps the model batch with a warning', () => {
    const warnings: string[] = [];
    const r = resolveInputInfo(model(['N', 3, null, 0]), cfg({ sample_size: [2, 3, 16, 20] }), (l) =>
      warnings.push(l),
    );
    expect(r).toEqual([
      { name: 'x', dtype: 'float32', shape: [2, 3, 16, 20], filler: 'ones', configIndex: 0 },
    ]);
    const r2 = resolveInputInfo(model([1, 3, 4, 4]), cfg({ sample_size: [8, 3, 4, 4] }), (l) =>
      warnings.push(l),
    );
    expect(r2[0].shape).toEqual([1, 3, 4, 4]);
    expect(warnings).toEqual([
      'input_info.sample_size: batch 8 differs from model input "x" (static batch 1); example inputs use 1',
    ]);
  });

  it('a rank mismatch, a non-integer dim and a count mismatch are errors', () => {
    expect(error(() => resolveInputInfo(model([1, 3, 4, 4]), cfg({ sample_size: [1, 3, 4] })))).toContain(
      '[1,3,4] has rank 3, model input "x" has shape [1,3,4,4] (rank 4)',
    );
    expect(
      error(() => resolveInputInfo(model([1, 3, 4, 4]), cfg({ sample_size: [1, 3, 4.5, 4] }))),
    ).toContain('dims must be positive integers, got 4.5 at position 2');
    expect(
      error(() => resolveInputInfo(model([1, 3]), cfg([{ sample_size: [1, 3] }, { sample_size: [1, 3] }]))),
    ).toBe('input_info: describes 2 input(s); the model has 1: x');
  });

  it('keyword names a graph input (did-you-mean on a typo); unnamed entries take the rest in order', () => {
    const g = model([1, 4], { shape: [1, 6], dtype: 'int64' });
    const r = resolveInputInfo(
      g,
      cfg([{ sample_size: [1, 6], type: 'long', keyword: 'ids' }, { sample_size: [1, 4] }]),
    );
    expect(r.map((i) => [i.name, i.dtype, i.shape, i.configIndex])).toEqual([
      ['ids', 'int64', [1, 6], 0],
      ['x', 'float32', [1, 4], 1],
    ]);
    const msg = error(() => resolveInputInfo(g, cfg([{ keyword: 'idz' }, {}])));
    expect(msg).toBe(
      'input_info[0].keyword: "idz" is not an input of the model (inputs: x, ids) - did you mean "ids"?',
    );
    expect(error(() => resolveInputInfo(g, cfg([{ keyword: 'ids' }, { keyword: 'ids' }])))).toBe(
      'input_info[1].keyword: input "ids" is described twice',
    );
  });

  it('type and filler errors: NNCF type rule, unknown filler, random on integers', () => {
    const g = model([1, 4], { shape: [1, 6], dtype: 'int64' });
    expect(
      error(() => resolveInputInfo(g, cfg([{ sample_size: [1, 4] }, { sample_size: [1, 6], type: 'int' }]))),
    ).toBe(
      'input_info[1].type: "int" means float32 in NNCF ("long" is int64, any other type float32), but model input "ids" is int64',
    );
    expect(error(() => resolveInputInfo(model([1, 4]), cfg({ filler: 'one' })))).toBe(
      'input_info.filler: unknown input filler "one" (NNCF\'s fillers: ones, zeros, random) - did you mean "ones"?',
    );
    expect(error(() => resolveInputInfo(g, cfg([{}, { type: 'long', filler: 'random' }])))).toContain(
      'input_info[1].filler: "random" fills uniform [0,1) floats',
    );
  });

  it('an input of unknown rank takes sample_size whole; without sample_size it is an error', () => {
    const g = model([1, 3]);
    g.inputs[0].shape = null;
    expect(resolveInputInfo(g, cfg({ sample_size: [2, 5, 7] }))[0].shape).toEqual([2, 5, 7]);
    expect(error(() => resolveInputInfo(g, cfg({})))).toBe('input_info: model input "x" has an unknown shape: give input_info sample_size');
  });

  it('without sample_size the model shape is used; a dynamic non-batch dim then needs sample_size', () => {
    expect(resolveInputInfo(model(['N', 3]), cfg({}))[0].shape).toEqual([1, 3]);
    expect(error(() => resolveInputInfo(model([1, 'C']), cfg({})))).toBe(
      'input_info.sample_size: is needed: model input "x" has the dynamic dim 1 in [1,C]',
    );
  });
});

describe('example inputs from input_info fillers', () => {
  beforeAll(() => ensureBackend());
  const feeds = (filler: string, seed = 0) =>
    exampleFeeds(resolveInputInfo(model([1, 2, 3]), cfg({ sample_size: [1, 2, 3], filler })), seed);

  it('ones (NNCF default), zeros, and seeded uniform [0,1) random', () => {
    const before = tf.memory().numTensors;
    for (const [filler, want] of [
      ['ones', 1],
      ['zeros', 0],
    ] as const) {
      const f = feeds(filler);
      expect(f.x.shape).toEqual([1, 2, 3]);
      expect(Array.from(f.x.dataSync())).toEqual(new Array(6).fill(want));
      tf.dispose(f.x);
    }
    const a = feeds('random', 3);
    const b = feeds('random', 3);
    const c = feeds('random', 4);
    const va = Array.from(a.x.dataSync());
    expect(va).toEqual(Array.from(b.x.dataSync()));
    expect(va).not.toEqual(Array.from(c.x.dataSync()));
    expect(va.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(va).size).toBe(6);
    tf.dispose([a.x, b.x, c.x]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an int64 input gets an int32 tfjs tensor of ones; a default filler follows NNCF (ones)', () => {
    const g = model([1, 4], { shape: [1, 6], dtype: 'int64' });
    const f = exampleFeeds(
      resolveInputInfo(
        g,
        cfg([
          { sample_size: [1, 4], filler: 'zeros' },
          { sample_size: [1, 6], type: 'long' },
        ]),
      ),
    );
    expect(f.ids.dtype).toBe('int32');
    expect(Array.from(f.ids.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(f.x.dataSync())).toEqual([0, 0, 0, 0]);
    tf.dispose(Object.values(f));
  });
});

describe('createCompressedModel checks input_info before any work', () => {
  it('throws the mismatch; a matching input_info builds', async () => {
    const g = model([1, 1, 28, 28]);
    const kd = { algorithm: 'knowledge_distillation', type: 'mse' };
    await expect(
      createCompressedModel(
        g,
        NNCFConfig.fromObject({ input_info: { sample_size: [1, 7, 99, 99] }, compression: kd }),
      ),
    ).rejects.toThrow('dim 1 is 7 in the config, 1 in the model');
    const r = await createCompressedModel(
      g,
      NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 28, 28] }, compression: kd }),
    );
    expect(r.controller.name).toBe('knowledge_distillation');
    r.controller.dispose();
    r.model.engine.dispose();
  });
});

describe('the CLI on an input_info mismatch', () => {
  it('compress exits 1 naming input, config shape and model shape, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'input-info-'));
    const b = new OnnxBuilder({ opset: 17, seed: 1 });
    b.output(b.node('Relu', [b.input('x', [1, 1, 28, 28])]));
    writeFileSync(join(dir, 'm.onnx'), b.toBytes());
    writeFileSync(
      join(dir, 'd.npy'),
      encodeNpy(ndarray('float32', [2, 1, 28, 28], new Float32Array(2 * 784))),
    );
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({
        input_info: { sample_size: [1, 7, 99, 99] },
        compression: { algorithm: 'quantization' },
      }),
    );
    const r = await runCli(
      'compress',
      '--model',
      join(dir, 'm.onnx'),
      '--config',
      join(dir, 'c.json'),
      '--data',
      join(dir, 'd.npy'),
      '--out',
      join(dir, 'q.onnx'),
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'input_info.sample_size: [1,7,99,99] does not match model input "x" of shape [1,1,28,28]',
    );
    expect(existsSync(join(dir, 'q.onnx'))).toBe(false);
  });
});
