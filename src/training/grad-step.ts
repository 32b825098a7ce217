/**
 * One forward/backward pass: task loss + controller.loss(), gradients of the optimized variables,
 * optionally accumulated over several batches. compression_lr_multiplier is already in the gradients:
 * the algorithms' ops scale their parameters' gradients (NNCF's CompressionParameter hook).
 */
import * as tf from '@tensorflow/tfjs-core';

export type TaskLoss = (outputs: Record<string, tf.Tensor>, labels: tf.Tensor | undefined) => tf.Scalar;
export type BatchMetric = (outputs: Record<string, tf.Tensor>, labels: tf.Tensor | undefined) => number;

export interface StepResult {
  loss: number;
  taskLoss: number;
  compressionLoss: number;
  metric?: number;
}

export class GradAccumulator {
  private acc: (tf.Tensor | undefined)[] = [];
  count = 0;

  constructor(readonly variables: readonly tf.Variable[]) {}

  /** Runs forward + backward; adds the gradients to the accumulator. */
  run(forward: () => { task: tf.Scalar; compression: tf.Scalar; metric?: number }): StepResult {
    let task: tf.Scalar | undefined;
    let compression: tf.Scalar | undefined;
    let metric: number | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const r = forward();
      task = tf.keep(r.task.clone());
      compression = tf.keep(r.compression.clone());
      metric = r.metric;
      return tf.add(r.task, r.compression) as tf.Scalar;
    }, this.variables.filter((v) => v.trainable));
    const result: StepResult = { loss: value.dataSync()[0], taskLoss: task!.dataSync()[0], compressionLoss: compression!.dataSync()[0], metric };
    tf.dispose([value, task!, compression!]);
    this.variables.forEach((v, i) => {
      const g: tf.Tensor | undefined = grads[v.name] ?? undefined;
      if (!g) return;
      const have = this.acc[i];
      if (have) {
        this.acc[i] = tf.add(have, g);
        have.dispose();
        g.dispose();
      } else this.acc[i] = g;
    });
    for (const g of Object.values(grads)) if (g && !g.isDisposed && !this.acc.includes(g)) g.dispose();
    this.count++;
    return result;
  }

  /** Adds gradients computed elsewhere (index-aligned with `variables`; undefined: none); takes ownership. */
  add(grads: readonly (tf.Tensor | undefined)[], count = true): void {
    grads.forEach((g, i) => {
      if (!g) return;
      const have = this.acc[i];
      if (have) {
        this.acc[i] = tf.add(have, g);
        have.dispose();
        g.dispose();
      } else this.acc[i] = g;
    });
    if (count) this.count++;
  }

  /** The accumulated gradients (index-aligned with `variables`); call `reset()` after using them. */
  take(): (tf.Tensor | undefined)[] {
    return this.acc;
  }

  reset(): void {
    for (const g of this.acc) g?.dispose();
    this.acc = [];
    this.count = 0;
  }
}
