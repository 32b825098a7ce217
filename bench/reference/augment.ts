/**
 * Seeded batch augmentation on NCHW float32 images, in place: each image is mirrored left-right with
 * probability 1/2. (Fashion-MNIST classes are mirror-symmetric; shifts are not used.)
 */
import type { NdArray, Random } from '../../src/data/index.js';

export function randomHorizontalFlip(x: NdArray<'float32'>, rng: Random): void {
  const [n, c, h, w] = x.shape;
  const d = x.data;
  for (let i = 0; i < n; i++) {
    if (rng.float() < 0.5) continue;
    for (let row = (i * c) * h; row < (i + 1) * c * h; row++) {
      const base = row * w;
      for (let a = base, b = base + w - 1; a < b; a++, b--) {
        const t = d[a];
        d[a] = d[b];
        d[b] = t;
      }
    }
  }
}
