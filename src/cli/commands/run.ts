/**
 * `nncf-ts run --model M.onnx --input X.npy [--input NAME=Y.npy …] --output OUT.npy [--output-dir DIR]
 *  [--runtime ort|engine] [--backend wasm|cpu] [--threads N]`
 * Runs a model on .npy inputs and writes the first output (--output) and/or every output as NAME.npy
 * (--output-dir), each file atomically. Unreadable or bad arguments → UsageError (exit 2); inputs that do
 * not fit the model → an error naming the input and both shapes (exit 1).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { DataError, ND_DTYPES, castNd, readNpy, writeNpy, type NdArray, type NdDType } from '../../data/index.js';
import { OrtSession } from '../../runtime/index.js';
import { checkOutputPaths, writeOutput } from '../output-paths.js';
import { UsageError } from '../usage-error.js';
import type { RegisterCommand } from './index.js';

export interface RunCommandOptions {
  model: string;
  input: string[];
  output?: string;
  outputDir?: string;
  runtime: 'ort' | 'engine';
  backend?: 'wasm' | 'cpu';
  threads?: string;
}

/** A model runner: input specs for feeding, then run → outputs by name (in model output order). */
export interface Runner {
  inputs: { name: string; dtype: string }[];
  run(feeds: Record<string, NdArray>): Promise<Record<string, NdArray>>;
  close(): Promise<void>;
}

async function ortRunner(model: string, threads?: number): Promise<Runner> {
  let session: OrtSession;
  try {
    session = await OrtSession.create(model, threads ? { intraOpThreads: threads } : {});
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { inputs: session.inputs, run: (feeds) => session.run(feeds), close: () => session.release() };
}

/** Our tfjs engine (loaded lazily so that `--runtime ort` never starts tfjs). */
async function engineRunner(model: string, backend: 'wasm' | 'cpu'): Promise<Runner> {
  const [tf, { Engine, initBackend, tfDtype }, { loadOnnxModel }] = await Promise.all([
    import('@tensorflow/tfjs-core'),
    import('../../engine/index.js'),
    import('../../frontends/onnx/index.js'),
  ]);
  let graph: Awaited<ReturnType<typeof loadOnnxModel>>;
  try {
    graph = await loadOnnxModel(model);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await initBackend(backend);
  const engine = new Engine(graph);
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name)).map((i) => ({ name: i.name, dtype: i.dtype }));
  const run = async (feeds: Record<string, NdArray>): Promise<Record<string, NdArray>> => {
    const tfFeeds: Record<string, import('@tensorflow/tfjs-core').Tensor> = {};
    for (const spec of inputs) {
      const want = tfDtype(spec.dtype as never);
      const arr = feeds[spec.name];
      const data = castNd(arr, want === 'bool' ? 'bool' : want).data as Float32Array | Int32Array | Uint8Array;
      tfFeeds[spec.name] = tf.tensor(data, arr.shape, want);
    }
    try {
      const result = engine.run(tfFeeds);
      const out: Record<string, NdArray> = {};
      for (const info of graph.outputs) {
        const t = result[info.name];
        const tfArr: NdArray = { dtype: t.dtype as NdDType, shape: [...t.shape], data: (await t.data()) as Float32Array };
        out[info.name] = (ND_DTYPES as string[]).includes(info.dtype) ? castNd(tfArr, info.dtype as NdDType) : tfArr;
        t.dispose();
      }
      return out;
    } finally {
      for (const t of Object.values(tfFeeds)) t.dispose();
    }
  };
  return { inputs, run, close: async () => engine.dispose() };
}

/**
 * Splits `--input` values (`FILE` or `NAME=FILE`) into paths by input name; one plain FILE goes to the one
 * model input left over.
 */
export function assignInputs(specs: string[], modelInputs: string[]): Record<string, string> {
  const named: Record<string, string> = {};
  const unnamed: string[] = [];
  for (const spec of specs) {
    // NAME=FILE, unless the whole argument is an existing file (a path with '=' in it)
    const m = existsSync(spec) ? null : /^([^=]+)=(.+)$/.exec(spec);
    if (!m) unnamed.push(spec);
    else if (!modelInputs.includes(m[1])) throw new UsageError(`'${m[1]}' is not an input of the model (inputs: ${modelInputs.join(', ')})`);
    else if (named[m[1]]) throw new UsageError(`input '${m[1]}' is given twice`);
    else named[m[1]] = m[2];
  }
  const left = modelInputs.filter((n) => !(n in named));
  if (unnamed.length > 1) throw new UsageError(`give NAME=FILE for each input when there are several (model inputs: ${modelInputs.join(', ')})`);
  if (unnamed.length === 1) {
    if (left.length !== 1) throw new UsageError(`cannot tell which input '${unnamed[0]}' is for; use NAME=FILE (model inputs: ${modelInputs.join(', ')})`);
    named[left[0]] = unnamed[0];
  }
  const missing = modelInputs.filter((n) => !(n in named));
  if (missing.length) throw new UsageError(`no data for input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')}; add --input NAME=FILE.npy`);
  return named;
}

async function readInput(name: string, path: string, dtype: string): Promise<NdArray> {
  let arr: NdArray;
  try {
    arr = await readNpy(path);
  } catch (err) {
    throw err instanceof DataError ? new UsageError(`input '${name}': ${err.message}`) : err;
  }
  if (arr.dtype !== dtype && (ND_DTYPES as string[]).includes(dtype)) {
    process.stderr.write(`nncf-ts: note: input '${name}' cast from ${arr.dtype} to ${dtype}\n`);
    arr = castNd(arr, dtype as NdDType);
  }
  return arr;
}

/** A file name for an output tensor name (path separators and odd characters become '_'). */
export function outputFileName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'output'}.npy`;
}

export async function runCommand(opts: RunCommandOptions, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  if (!opts.output && !opts.outputDir) throw new UsageError('give --output OUT.npy or --output-dir DIR');
  if (opts.input.length === 0) throw new UsageError('give at least one --input FILE.npy');
  if (opts.backend && opts.runtime !== 'engine') throw new UsageError('--backend applies to --runtime engine only');
  if (opts.threads !== undefined && opts.runtime === 'engine') throw new UsageError('--threads applies to --runtime ort only');
  const threads = opts.threads === undefined ? undefined : Number(opts.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) throw new UsageError(`--threads must be a positive integer, got '${opts.threads}'`);
  checkOutputPaths([
    ...(opts.output ? [{ flag: '--output', path: opts.output, kind: 'file' as const }] : []),
    ...(opts.outputDir ? [{ flag: '--output-dir', path: opts.outputDir, kind: 'directory' as const }] : []),
  ]);
  const runner = opts.runtime === 'engine' ? await engineRunner(opts.model, opts.backend ?? 'wasm') : await ortRunner(opts.model, threads);
  try {
    const paths = assignInputs(opts.input, runner.inputs.map((i) => i.name));
    const feeds: Record<string, NdArray> = {};
    for (const spec of runner.inputs) feeds[spec.name] = await readInput(spec.name, paths[spec.name], spec.dtype);
    const outputs = await runner.run(feeds);
    const names = Object.keys(outputs);
    const describe = (n: string) => `'${n}' ${outputs[n].dtype} [${outputs[n].shape.join(', ')}]`;
    if (opts.output) {
      await writeOutput('--output', opts.output, () => writeNpy(opts.output!, outputs[names[0]]));
      log(`wrote ${opts.output}: output ${describe(names[0])}`);
    }
    if (opts.outputDir) {
      await writeOutput('--output-dir', opts.outputDir, () => mkdir(opts.outputDir!, { recursive: true }));
      for (const n of names) {
        const path = join(opts.outputDir, outputFileName(n));
        await writeOutput('--output-dir', path, () => writeNpy(path, outputs[n]));
        log(`wrote ${path}: output ${describe(n)}`);
      }
    }
  } finally {
    await runner.close();
  }
}

export const registerRun: RegisterCommand = (program: Command) => {
  program
    .command('run')
    .description('run a model on .npy inputs and write its outputs as .npy')
    .requiredOption('--model <file>', 'ONNX model')
    .option('--input <[NAME=]file>', 'input .npy (repeat for several inputs, NAME=FILE) (required)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--output <file>', 'write the first output here (.npy); this or --output-dir is required')
    .option('--output-dir <dir>', 'write every output as NAME.npy into this directory')
    .addOption(new Option('--runtime <name>', 'onnxruntime-node or our tfjs engine').choices(['ort', 'engine']).default('ort'))
    .addOption(new Option('--backend <name>', 'engine backend').choices(['wasm', 'cpu']))
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .action(async (opts: RunCommandOptions) => runCommand(opts));
};
