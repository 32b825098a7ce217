/**
 * Writes float weights with many zeros as ONNX `sparse_initializer`s (values [NNZ] + linear indices
 * [NNZ]) when that is smaller than the dense tensor: with int32 indices (ONNX Runtime accepts 8/16/32/64-bit
 * indices and densifies them at load), a float32 weight gets smaller below 50 % density.
 */
import type { ConstTensor } from '../../graph/types.js';
import { encodeTensor, type SparseTensorProto } from '../../graph/onnx-proto/index.js';

/** The sparse form of `t` when it is smaller than the dense one, else undefined. */
export function sparseProtoIfSmaller(t: ConstTensor, minElements = 1024): SparseTensorProto | undefined {
  if (t.dtype !== 'float32' || !(t.values instanceof Float32Array)) return undefined;
  const v = t.values;
  if (v.length < minElements) return undefined;
  let nnz = 0;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0 || Object.is(v[i], -0)) nnz++;
  if (nnz * 8 >= v.length * 4) return undefined;
  const values = new Float32Array(nnz);
  const indices = new Int32Array(nnz);
  for (let i = 0, k = 0; i < v.length; i++)
    if (v[i] !== 0 || Object.is(v[i], -0)) {
      values[k] = v[i];
      indices[k++] = i;
    }
  return {
    values: encodeTensor({ name: t.name, dtype: 'float32', dims: [nnz], values }),
    indices: encodeTensor({ name: `${t.name}_indices`, dtype: 'int32', dims: [nnz], values: indices }),
    dims: [...t.dims],
  };
}
