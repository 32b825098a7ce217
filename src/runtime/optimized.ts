/** ORT's optimized graph: save it, and count its op types (e.g. to see Conv become QLinearConv). */
import { readFile } from 'node:fs/promises';
import { decodeModel } from './extra-outputs.js';
import { OrtSession, type OrtSessionOptions } from './session.js';

/**
 * Writes the graph onnxruntime runs after its optimizations to `path` (atomically). The default level is
 * 'extended' (fusions such as Conv+BN, QDQ → QLinearConv); 'all' adds layout changes specific to this CPU.
 */
export async function saveOptimizedModel(
  model: Uint8Array | string,
  path: string,
  options: Omit<OrtSessionOptions, 'optimizedModelPath'> = {},
): Promise<void> {
  const session = await OrtSession.create(model, { graphOptimizationLevel: 'extended', ...options, optimizedModelPath: path });
  await session.release();
}

/** Op type → count over the main graph of an ONNX model (bytes or path); custom domains as `domain:Op`. */
export async function countOpTypes(model: Uint8Array | string): Promise<Map<string, number>> {
  const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
  const proto = decodeModel(bytes, typeof model === 'string' ? model : 'model');
  const counts = new Map<string, number>();
  for (const n of proto.graph?.node ?? []) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.op_type}` : (n.op_type ?? '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
