/** Conversion between plain NdArrays and onnxruntime tensors, and checks of feeds against model inputs. */
import * as ort from 'onnxruntime-node';
import { ND_DTYPES, type NdArray, type NdDType } from '../data/ndarray.js';
import { RuntimeError } from './errors.js';

/** Name, element type and shape of a model input or output (dims: numbers, or names/null when dynamic). */
export interface TensorSpec {
  name: string;
  dtype: string;
  shape: (number | string | null)[] | null;
}

export function toOrtTensor(arr: NdArray): ort.Tensor {
  return new ort.Tensor(arr.dtype, arr.data as never, arr.shape);
}

export function fromOrtTensor(t: ort.Tensor, name: string): NdArray {
  if (!(ND_DTYPES as string[]).includes(t.type)) {
    throw new RuntimeError(`output '${name}' has type ${t.type}, which cannot be returned as a numeric array`);
  }
  const dtype = t.type as NdDType;
  let data = t.data as NdArray['data'];
  if (dtype === 'bool' && !(data instanceof Uint8Array)) data = Uint8Array.from(data as unknown as ArrayLike<number>);
  return { dtype, shape: t.dims.map(Number), data };
}

export function specsFromMetadata(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorSpec[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, dtype: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : typeof d === 'string' && d ? d : null)) }
      : { name: m.name, dtype: 'non-tensor', shape: null },
  );
}

const fmtShape = (s: readonly (number | string | null)[]) => `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]`;

/** Throws a RuntimeError naming the input when feeds are missing, unknown, or of the wrong type or shape. */
export function checkFeeds(feeds: Record<string, NdArray>, inputs: TensorSpec[]): void {
  const names = inputs.map((i) => i.name);
  for (const name of Object.keys(feeds)) {
    if (!names.includes(name)) throw new RuntimeError(`unknown input '${name}' (model inputs: ${names.join(', ')})`);
  }
  for (const spec of inputs) {
    const arr = feeds[spec.name];
    if (!arr) throw new RuntimeError(`missing input '${spec.name}' (model inputs: ${names.join(', ')})`);
    if (spec.dtype !== 'non-tensor' && arr.dtype !== spec.dtype) {
      throw new RuntimeError(`input '${spec.name}': expected ${spec.dtype} data, got ${arr.dtype}`);
    }
    // ORT reports an unknown shape as []: only check when the model declares a rank.
    if (!spec.shape || spec.shape.length === 0) continue;
    const fits = arr.shape.length === spec.shape.length && spec.shape.every((d, i) => typeof d !== 'number' || d === arr.shape[i]);
    if (!fits) {
      throw new RuntimeError(`input '${spec.name}': expected shape ${fmtShape(spec.shape)}, got ${fmtShape(arr.shape)}`);
    }
  }
}
