/**
 * FedInputReader (host-mode ORT training): a fed node input (mask, staged flag) is read back from its
 * tensor only when the tensor changed — a Variable.assign or a new tensor — and the values fed are then
 * the new ones, in ONNX layout; trainable inputs and inputs the graph does not read are never read.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { FedInputReader, type CompressionNodeInput } from '../../src/compression/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('FedInputReader', () => {
  it('reads a fed input again only after its tensor changed', () => {
    const before = tf.memory().numTensors;
    const mask = tf.tidy(() => tf.variable(tf.tensor([1, 0, 1, 1, 0, 1], [3, 2]), false));
    let flag = tf.scalar(1);
    const made: tf.Tensor[] = [];
    const inputs = new Map<string, CompressionNodeInput>([
      // stored [3, 2], fed in ONNX layout [2, 3]
      ['m', { name: 'm', value: mask, trainable: false, toOnnx: (t) => tf.transpose(t) }],
      ['flag', { name: 'flag', get value() { return flag; }, trainable: false }],
      ['scale', { name: 'scale', value: mask, trainable: true }],
      ['unread', { name: 'unread', value: mask, trainable: false }],
    ]);
    const fed = new Map<string, Float32Array>([
      ['m', new Float32Array(6)],
      ['flag', new Float32Array(1)],
    ]);
    const reader = new FedInputReader();
    reader.refresh(inputs, fed);
    expect(reader.lastReads).toBe(2);
    expect([...fed.get('m')!]).toEqual([1, 1, 0, 0, 1, 1]);
    expect([...fed.get('flag')!]).toEqual([1]);
    expect(fed.has('scale')).toBe(false);
    expect(fed.has('unread')).toBe(false);

    const kept = fed.get('m');
    reader.refresh(inputs, fed);
    expect(reader.lastReads).toBe(0);
    expect(fed.get('m')).toBe(kept); // not read again

    tf.tidy(() => mask.assign(tf.tensor([0, 0, 1, 1, 1, 1], [3, 2])));
    reader.refresh(inputs, fed);
    expect(reader.lastReads).toBe(1);
    expect([...fed.get('m')!]).toEqual([0, 1, 1, 0, 1, 1]);

    const old = flag;
    flag = tf.scalar(0);
    old.dispose();
    reader.refresh(inputs, fed);
    expect(reader.lastReads).toBe(1);
    expect([...fed.get('flag')!]).toEqual([0]);

    // a getter that makes a new tensor each time is read each time
    const fresh = new Map<string, CompressionNodeInput>([
      ['f', { name: 'f', get value() { made.push(tf.keep(tf.fill([2], made.length + 1))); return made[made.length - 1]; }, trainable: false }],
    ]);
    const fedF = new Map([['f', new Float32Array(2)]]);
    for (let k = 1; k <= 3; k++) {
      reader.refresh(fresh, fedF);
      expect(reader.lastReads).toBe(1);
      expect([...fedF.get('f')!]).toEqual([k, k]);
    }
    tf.dispose([mask, flag, ...made]);
    expect(tf.memory().numTensors).toBe(before); // the reader keeps no tensor
  });
});
