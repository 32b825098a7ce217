import { Dataset } from '../../../src/data/index.js';
import { seededRandom } from '../../helpers/onnx-builder.js';

/** `n` seeded regression samples for the [4, 16] transformer-encoder test model: inputs and targets in [-1, 1). */
export function encoderRegressionData(n: number, seed: number): Dataset {
  const rnd = seededRandom(seed);
  const per = 4 * 16;
  const x = Float32Array.from({ length: n * per }, () => rnd() * 2 - 1);
  const y = Float32Array.from({ length: n * per }, () => rnd() * 2 - 1);
  return new Dataset({ dtype: 'float32', shape: [n, 4, 16], data: x }, { dtype: 'float32', shape: [n, 4, 16], data: y });
}
