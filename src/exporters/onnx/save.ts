import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Graph } from '../../graph/graph.js';
import type { ConstTensor } from '../../graph/types.js';
import { encodeModelProto, has, rawBytes, type TensorProto } from '../../graph/onnx-proto/index.js';
import { buildModelProto } from './model-proto.js';

export interface OnnxExportOptions {
  /** Write value_info for every edge with a known shape (default: only entries the original model had). */
  allValueInfo?: boolean;
  /** Float weights with more zeros than values written as sparse_initializer where smaller (`--sparse-initializers`). */
  sparseInitializers?: boolean;
}

export interface OnnxSaveOptions extends OnnxExportOptions {
  /**
   * Tensors at least this many bytes go to an external data file next to the model. Tensors that were
   * external in the source model stay external regardless. Default: Infinity (only originally-external ones).
   */
  externalDataThreshold?: number;
  /** External data file name, relative to the model's directory (default `<model file>.data`). */
  externalDataLocation?: string;
}

/** Embeds external tensors as raw_data: bytes in memory cannot reference files. */
function embed(proto: TensorProto, tensor: ConstTensor): TensorProto {
  if (proto.data_location !== 1) return proto;
  const copy: TensorProto = { ...proto, raw_data: rawBytes(tensor) };
  delete copy.external_data;
  delete copy.data_location;
  return copy;
}

/** Graph → .onnx bytes (every tensor embedded). */
export function exportOnnx(graph: Graph, opts: OnnxExportOptions = {}): Uint8Array {
  return encodeModelProto(buildModelProto(graph, { ...opts, placeTensor: embed }));
}

/** Writes `data` to `path` through a temp file and a rename, so readers never see half a file. */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Graph → .onnx file (plus an external data file when tensors are stored externally). */
export function saveOnnx(graph: Graph, path: string, opts: OnnxSaveOptions = {}): void {
  const threshold = opts.externalDataThreshold ?? Infinity;
  const location = opts.externalDataLocation ?? `${basename(path)}.data`;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const place = (proto: TensorProto, tensor: ConstTensor): TensorProto => {
    const wasExternal = proto.data_location === 1;
    const bytes = wasExternal ? rawBytes(tensor) : has(proto, 'raw_data') ? proto.raw_data! : undefined;
    if (!bytes || (!wasExternal && bytes.byteLength < threshold) || tensor.dtype === 'string') return proto;
    const padding = (4096 - (offset % 4096)) % 4096; // page-aligned offsets let runtimes mmap the data
    if (padding) chunks.push(new Uint8Array(padding));
    offset += padding;
    const entry: TensorProto = {
      ...proto,
      external_data: [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.byteLength) },
      ],
      data_location: 1,
    };
    delete entry.raw_data;
    chunks.push(bytes);
    offset += bytes.byteLength;
    return entry;
  };
  const model = encodeModelProto(buildModelProto(graph, { ...opts, placeTensor: place }));
  if (chunks.length) writeFileAtomic(join(dirname(path), location), Buffer.concat(chunks));
  writeFileAtomic(path, model);
}
