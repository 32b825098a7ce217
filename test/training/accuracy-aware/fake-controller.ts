/** A small adaptive controller for the loop tests: its rate is a number; the "model" is epochs trained at that rate. */
import * as tf from '@tensorflow/tfjs-core';
import { BaseScheduler, CompressionStage } from '../../../src/compression/index.js';
import type { AccuracyAwareController } from '../../../src/training/index.js';

export class FakeAdaptiveController implements AccuracyAwareController {
  readonly name = 'fake_sparsity';
  readonly scheduler = new BaseScheduler();
  /** Epochs trained since the rate was last set (what the scripted accuracy depends on). */
  k = 0;
  disabled = 0;
  stage = CompressionStage.FULLY_COMPRESSED;
  private rate: number;

  constructor(
    rate: number,
    readonly maximalCompressionRate: number,
  ) {
    this.rate = rate;
  }

  get compressionRate(): number {
    return this.rate;
  }

  set compressionRate(r: number) {
    this.rate = r;
    this.k = 0;
  }

  compressionStage(): CompressionStage {
    return this.stage;
  }

  disableScheduler(): void {
    this.disabled++;
  }

  loss(): tf.Scalar {
    return tf.scalar(0);
  }
}

/** Callbacks whose model state is (rate, k); every call is logged. */
export function scripted(ctrl: FakeAdaptiveController, acc: (rate: number, k: number) => number) {
  const calls: string[] = [];
  const lrFactors: number[] = [];
  const loads: number[] = [];
  return {
    calls,
    lrFactors,
    loads,
    fns: {
      trainEpoch: () => {
        ctrl.k++;
        calls.push('train');
      },
      validate: () => acc(ctrl.compressionRate, ctrl.k),
      configureOptimizers: (f: number) => {
        lrFactors.push(f);
      },
      saveState: () => ({ rate: ctrl.compressionRate, k: ctrl.k }),
      loadState: (s: { rate: number; k: number }) => {
        ctrl.compressionRate = s.rate;
        ctrl.k = s.k;
        loads.push(s.rate);
      },
    },
  };
}
