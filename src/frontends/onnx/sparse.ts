import type { ConstTensor, TensorValues } from '../../graph/types.js';
import { decodeTensor, int64ToNumber, rememberTensor, type ExternalDataReader, type SparseTensorProto } from '../../graph/onnx-proto/index.js';

/**
 * A sparse initializer as a dense ConstTensor (algorithms see ordinary weights). `raw` is the
 * SparseTensorProto, so the exporter writes it back sparse while it is unchanged.
 */
export function densifySparse(s: SparseTensorProto, readExternal?: ExternalDataReader): ConstTensor {
  const values = decodeTensor(s.values ?? {}, readExternal);
  const indices = decodeTensor(s.indices ?? {}, readExternal);
  const dims = (s.dims ?? []).map(int64ToNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  const Ctor = (values.values as unknown as { constructor: new (n: number) => TensorValues }).constructor;
  const dense = Array.isArray(values.values) ? (Array(count).fill('') as string[]) : new Ctor(count);
  const nnz = values.values.length;
  const idx = Array.from(indices.values as BigInt64Array, Number);
  const rank = dims.length;
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let k = 0; k < nnz; k++) {
    // Indices are either linear [NNZ] or coordinates [NNZ, rank].
    const flat = indices.dims.length === 1 ? idx[k] : strides.reduce((acc, st, j) => acc + st * idx[k * rank + j], 0);
    (dense as unknown as unknown[])[flat] = (values.values as unknown as unknown[])[k];
  }
  const tensor: ConstTensor = { name: values.name, dtype: values.dtype, dims, values: dense, raw: s };
  rememberTensor(s, tensor);
  return tensor;
}
