/** File and gzip sizes of the FP32 model and of the compressed export (dense, and with sparse initializers). */
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { exportCompressedModelBytes } from '../../api.js';
import type { CreateResult } from '../../compression/index.js';
import { exportOnnx } from '../../exporters/onnx/index.js';
import type { Graph } from '../../graph/index.js';

export interface ExportSizes {
  fp32_bytes: number;
  fp32_gzip_bytes: number;
  exported_bytes: number;
  exported_gzip_bytes: number;
  sparse_initializer_bytes: number;
  sparse_initializer_gzip_bytes: number;
}

const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;

export function exportSizes(graph: Graph, created: Pick<CreateResult, 'model' | 'controller'>): ExportSizes {
  const fp32 = exportOnnx(graph);
  const dense = exportCompressedModelBytes(created);
  const sparse = exportCompressedModelBytes(created, { sparseInitializers: true });
  return {
    fp32_bytes: fp32.length,
    fp32_gzip_bytes: gz(fp32),
    exported_bytes: dense.length,
    exported_gzip_bytes: gz(dense),
    sparse_initializer_bytes: sparse.length,
    sparse_initializer_gzip_bytes: gz(sparse),
  };
}

/** The report's sizes of two model files on disk: the FP32 input and the written export. */
export function fileSizes(fp32Path: string, exportedPath: string): { fp32_bytes: number; fp32_gzip_bytes: number; exported_bytes: number; exported_gzip_bytes: number } {
  const a = new Uint8Array(readFileSync(fp32Path));
  const b = new Uint8Array(readFileSync(exportedPath));
  return { fp32_bytes: a.length, fp32_gzip_bytes: gz(a), exported_bytes: b.length, exported_gzip_bytes: gz(b) };
}
