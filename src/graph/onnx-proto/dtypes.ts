import type { DType } from '../types.js';

/** ONNX TensorProto.DataType numbers, indexed by our DType names. */
export const ONNX_DATA_TYPE: Record<DType, number> = {
  undefined: 0, float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13, complex64: 14, complex128: 15, bfloat16: 16,
  float8e4m3fn: 17, float8e4m3fnuz: 18, float8e5m2: 19, float8e5m2fnuz: 20, uint4: 21, int4: 22,
};

const BY_NUMBER = new Map<number, DType>(Object.entries(ONNX_DATA_TYPE).map(([k, v]) => [v, k as DType]));

/** DType for an ONNX data_type number; unknown (newer) numbers map to 'undefined' so callers can keep the raw proto. */
export function dtypeFromOnnx(code: number | undefined): DType {
  return BY_NUMBER.get(code ?? 0) ?? 'undefined';
}

export function onnxDataType(dtype: DType): number {
  return ONNX_DATA_TYPE[dtype];
}

/** Bits per element in raw_data (complex counts both halves); 0 for string/undefined. */
export function bitsPerElement(dtype: DType): number {
  switch (dtype) {
    case 'int4': case 'uint4': return 4;
    case 'bool': case 'int8': case 'uint8':
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz': return 8;
    case 'float16': case 'bfloat16': case 'int16': case 'uint16': return 16;
    case 'float32': case 'int32': case 'uint32': return 32;
    case 'float64': case 'int64': case 'uint64': case 'complex64': return 64;
    case 'complex128': return 128;
    default: return 0;
  }
}

/** Numbers stored in `values` per element (complex types store real and imaginary parts). */
export function valuesPerElement(dtype: DType): number {
  return dtype === 'complex64' || dtype === 'complex128' ? 2 : 1;
}
