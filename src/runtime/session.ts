/**
 * An onnxruntime-node session over plain NdArrays: from .onnx bytes, a file path or a Graph; thread counts;
 * intermediate tensors as extra outputs; ORT's optimized graph saved on request.
 */
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { NdArray } from '../data/ndarray.js';
import { exportOnnx } from '../exporters/onnx/index.js';
import type { Graph } from '../graph/graph.js';
import { encodeModelProto } from '../graph/onnx-proto/index.js';
import { RuntimeError, firstLine } from './errors.js';
import { addOutputsToModel, decodeModel, hasExternalData } from './extra-outputs.js';
import { checkFeeds, fromOrtTensor, specsFromMetadata, toOrtTensor, type TensorSpec } from './tensors.js';

export interface OrtSessionOptions {
  /** Threads inside one op (ORT default: one per physical core). */
  intraOpThreads?: number;
  /** Threads across independent ops (used with executionMode 'parallel'). */
  interOpThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Intermediate tensor names to return from `run` in addition to the model outputs. */
  extraOutputs?: string[];
  /** Where ORT writes the graph it optimized (an .onnx path); written atomically. */
  optimizedModelPath?: string;
}

function ortOptions(o: OrtSessionOptions, optimizedPath?: string): ort.InferenceSession.SessionOptions {
  const opts: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'] };
  if (o.intraOpThreads !== undefined) opts.intraOpNumThreads = o.intraOpThreads;
  if (o.interOpThreads !== undefined) opts.interOpNumThreads = o.interOpThreads;
  if (o.executionMode) opts.executionMode = o.executionMode;
  if (o.graphOptimizationLevel) opts.graphOptimizationLevel = o.graphOptimizationLevel;
  if (optimizedPath) opts.optimizedModelFilePath = optimizedPath;
  return opts;
}

const tmpName = (path: string) => `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

export class OrtSession {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];

  private constructor(private readonly session: ort.InferenceSession) {
    this.inputs = specsFromMetadata(session.inputMetadata);
    this.outputs = specsFromMetadata(session.outputMetadata);
  }

  get inputNames(): string[] {
    return this.inputs.map((i) => i.name);
  }

  get outputNames(): string[] {
    return this.outputs.map((o) => o.name);
  }

  /** A session from .onnx bytes or a file path (external data next to the file is found). */
  static async create(model: Uint8Array | string, options: OrtSessionOptions = {}): Promise<OrtSession> {
    const where = typeof model === 'string' ? model : 'model';
    let source: Uint8Array | string = model;
    let tempModel: string | undefined;
    if (options.extraOutputs?.length) {
      let bytes: Uint8Array;
      try {
        bytes = typeof model === 'string' ? await readFile(model) : model;
      } catch (err) {
        throw new RuntimeError(`cannot read model ${where}: ${firstLine(err)}`);
      }
      const proto = addOutputsToModel(decodeModel(bytes, where), options.extraOutputs, where);
      source = encodeModelProto(proto);
      if (typeof model === 'string' && hasExternalData(proto)) {
        // external data is resolved relative to the model file: write the edited model next to it
        tempModel = join(dirname(model), `.${randomBytes(6).toString('hex')}.extra-outputs.onnx`);
        await writeFile(tempModel, source);
        source = tempModel;
      }
    }
    const optimizedTmp = options.optimizedModelPath ? tmpName(options.optimizedModelPath) : undefined;
    try {
      const opts = ortOptions(options, optimizedTmp);
      const session =
        typeof source === 'string' ? await ort.InferenceSession.create(source, opts) : await ort.InferenceSession.create(source, opts);
      if (optimizedTmp) await rename(optimizedTmp, options.optimizedModelPath!);
      return new OrtSession(session);
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError(`onnxruntime cannot load ${where}: ${firstLine(err)}`);
    } finally {
      if (tempModel) await unlink(tempModel).catch(() => undefined);
      if (optimizedTmp) await unlink(optimizedTmp).catch(() => undefined);
    }
  }

  /** A session for a Graph, exported to ONNX in memory. */
  static async fromGraph(graph: Graph, options: OrtSessionOptions = {}): Promise<OrtSession> {
    return OrtSession.create(exportOnnx(graph), options);
  }

  /**
   * Runs the model. `feeds` maps input names to arrays (a single array is fed to the only input);
   * returns the requested outputs (default: all outputs, including extra outputs) by name.
   */
  async run(feeds: Record<string, NdArray> | NdArray, outputNames?: string[]): Promise<Record<string, NdArray>> {
    const named = isNdArray(feeds) ? this.single(feeds) : feeds;
    checkFeeds(named, this.inputs);
    const wanted = outputNames ?? this.outputNames;
    for (const n of wanted) {
      if (!this.outputNames.includes(n)) throw new RuntimeError(`unknown output '${n}' (outputs: ${this.outputNames.join(', ')})`);
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(named)) ortFeeds[k] = toOrtTensor(v);
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await this.session.run(ortFeeds, wanted);
    } catch (err) {
      throw new RuntimeError(`onnxruntime run failed: ${firstLine(err)}`);
    }
    const out: Record<string, NdArray> = {};
    for (const n of wanted) {
      out[n] = fromOrtTensor(result[n] as ort.Tensor, n);
    }
    return out;
  }

  private single(arr: NdArray): Record<string, NdArray> {
    if (this.inputs.length !== 1) {
      throw new RuntimeError(`the model has ${this.inputs.length} inputs (${this.inputNames.join(', ')}); feed them by name`);
    }
    return { [this.inputs[0].name]: arr };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function isNdArray(v: unknown): v is NdArray {
  const o = v as NdArray;
  return typeof o === 'object' && o !== null && typeof o.dtype === 'string' && Array.isArray(o.shape) && ArrayBuffer.isView(o.data);
}
