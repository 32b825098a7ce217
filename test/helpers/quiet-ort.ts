/**
 * Vitest setup (every test file): onnxruntime's native logger writes warnings straight to stdout, past
 * vitest's console capture — e.g. "[W:onnxruntime:…] Removing initializer … It is not used by any node"
 * for every FakeQuantize export test. Tests assert what they expect; ORT errors still print.
 * `env.logLevel` is read when onnxruntime-node creates its first session; the CommonJS onnxruntime-common
 * is the instance onnxruntime-node uses (its ESM build would be a second, unused `env`).
 */
import { createRequire } from 'node:module';

const { env } = createRequire(import.meta.url)('onnxruntime-common') as { env: { logLevel?: string } };
env.logLevel = 'error';
