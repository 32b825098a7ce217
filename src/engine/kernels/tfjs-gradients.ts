/**
 * tfjs-core's Node entry (dist/tf-core.node.js) registers no gradients: the union package
 * @tensorflow/tfjs bundles `dist/register_all_gradients` for that. That file and its imports are
 * extensionless ESM that Node cannot load directly, so we bundle it once with esbuild and run it.
 * The bundled ops are a second copy of tfjs-core's op code, but they talk to the same global
 * engine and registries (tfjs-core keeps those on globalThis by design), exactly like the
 * @tensorflow/tfjs bundle does.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

interface EsbuildLike {
  buildSync(options: Record<string, unknown>): { outputFiles: Array<{ text: string }> };
}

/** Registers every gradient of tfjs-core (idempotent; about 150 ms the first time). */
export function registerTfjsGradients(): void {
  if (tf.getGradient('Relu') != null) return;
  const entry = requireHere.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const esbuild = requireHere('esbuild') as EsbuildLike;
  const bundle = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]?.text;
  if (code == null) throw new Error('registerTfjsGradients: esbuild produced no output');
  const module = { exports: {} };
  // The bundle is tfjs-core's own code; it only requires Node built-ins.
  new Function('module', 'exports', 'require', code)(module, module.exports, requireHere);
  if (tf.getGradient('Relu') == null) throw new Error('registerTfjsGradients: gradients did not register');
}
