import type { Dim, TensorInfo } from '../types.js';
import { has, int64ToNumber } from './codec.js';
import { dtypeFromOnnx, onnxDataType } from './dtypes.js';
import type { TypeProto, ValueInfoProto } from './messages.js';

/** ValueInfoProto → TensorInfo: known dims are numbers, symbolic dims keep their name, unknown dims are null. */
export function decodeValueInfo(v: ValueInfoProto): TensorInfo {
  const tt = v.type?.tensor_type ?? v.type?.sparse_tensor_type;
  const shape: Dim[] | null = tt && has(tt, 'shape')
    ? (tt.shape!.dim ?? []).map((d) => (has(d, 'dim_value') ? int64ToNumber(d.dim_value) : has(d, 'dim_param') ? d.dim_param! : null))
    : null;
  return { name: v.name ?? '', dtype: dtypeFromOnnx(tt?.elem_type), shape };
}

export function encodeType(info: TensorInfo): TypeProto {
  const tensor: NonNullable<TypeProto['tensor_type']> = { elem_type: onnxDataType(info.dtype) };
  if (info.shape)
    tensor.shape = {
      dim: info.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})),
    };
  return { tensor_type: tensor };
}

/**
 * True when `now` says nothing that contradicts `declared`: same rank and equal numeric dims (shape
 * inference may name or fill symbolic dims; that is not a change worth rewriting the file for).
 */
function refines(declared: Dim[] | null, now: Dim[] | null): boolean {
  if (!declared || !now) return true;
  return declared.length === now.length && declared.every((d, i) => typeof d !== 'number' || d === now[i]);
}

/**
 * TensorInfo → ValueInfoProto. When `orig` describes the same dtype and shape it is returned as is, so
 * denotations, doc strings and metadata survive.
 */
export function encodeValueInfo(info: TensorInfo, orig?: ValueInfoProto): ValueInfoProto {
  if (orig) {
    const before = decodeValueInfo(orig);
    if (before.name === info.name && before.dtype === info.dtype && refines(before.shape, info.shape)) return orig;
    if (before.name === info.name && !orig.type?.tensor_type) return orig; // sequences/maps: not modelled
  }
  const v: ValueInfoProto = { name: info.name, type: encodeType(info) };
  if (orig && has(orig, 'doc_string')) v.doc_string = orig.doc_string;
  if (orig?.metadata_props?.length) v.metadata_props = orig.metadata_props;
  return v;
}
