/**
 * Seeded labelled `.npz` files for CLI tests: x float32 of deterministic trigonometric values; y cycling
 * over the classes, or with `hashedLabels` a deterministic scramble (no pattern: a small net fits it only
 * partly, so subnets of different sizes score differently).
 */
import { writeFileSync } from 'node:fs';
import { encodeNpz } from '../../src/data/index.js';

export function writeLabelledNpz(path: string, n: number, sample: number[], classes: number, seed: number, hashedLabels = false): void {
  const size = sample.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n * size }, (_, i) => Math.sin(i * 0.37 + seed) * Math.cos(i * 0.011 * seed));
  const y = Int32Array.from({ length: n }, (_, i) => (hashedLabels ? Math.floor(Math.abs(Math.sin((i + 1) * 12.9898 + seed) * 43758.5453) % 1 * classes) : (i * 3 + seed) % classes));
  writeFileSync(path, encodeNpz({ x: { dtype: 'float32', shape: [n, ...sample], data: x }, y: { dtype: 'int32', shape: [n], data: y } }));
}
