/**
 * Vitest setup (every test file). Test files share a worker process (vitest.config.ts: isolate false),
 * so a tfjs backend chosen by one file (say `initBackend('cpu')`) would still be active in the next.
 * A file that picks no backend gets what a fresh process gives it: wasm, the engine's default.
 */
import * as tf from '@tensorflow/tfjs-core';

const chosen = (tf.engine() as unknown as { backendName?: string | null }).backendName;
if (chosen && chosen !== 'wasm' && tf.findBackendFactory('wasm')) await tf.setBackend('wasm');
