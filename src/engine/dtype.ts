import * as tf from '@tensorflow/tfjs-core';
import type { ConstTensor, DType } from '../graph/index.js';
import { EngineError } from './errors.js';

/** tfjs has float32, int32 and bool only: ONNX floats map to float32, every integer type to int32 (int64 clamped). */
export function tfDtype(d: DType): 'float32' | 'int32' | 'bool' {
  switch (d) {
    case 'float32':
    case 'float16':
    case 'bfloat16':
    case 'float64':
    case 'float8e4m3fn':
    case 'float8e4m3fnuz':
    case 'float8e5m2':
    case 'float8e5m2fnuz':
      return 'float32';
    case 'bool':
      return 'bool';
    case 'string':
    case 'complex64':
    case 'complex128':
    case 'undefined':
      throw new EngineError(`dtype "${d}" is not supported by the engine`);
    default:
      return 'int32';
  }
}

/** ONNX TensorProto.DataType codes, for Cast's `to` and ConstantOfShape. */
const ONNX_CODES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16', 21: 'uint4', 22: 'int4',
};

export function dtypeFromOnnxCode(code: number): DType {
  const d = ONNX_CODES[code];
  if (!d) throw new EngineError(`ONNX data type code ${code} is not supported by the engine`);
  return d;
}

const I32_MAX = 2147483647;
const I32_MIN = -2147483648;

/** Decoded constant values → numbers in tfjs's dtype (int64 sentinels like INT64_MAX clamp to int32). */
export function constValues(c: ConstTensor): Float32Array | Int32Array | Uint8Array {
  const dt = tfDtype(c.dtype);
  const v = c.values;
  if (Array.isArray(v)) throw new EngineError(`constant "${c.name}": string tensors are not supported`);
  if (dt === 'float32') return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>, Number);
  if (dt === 'bool') return Uint8Array.from(v as ArrayLike<number>, (x) => (Number(x) ? 1 : 0));
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    const out = new Int32Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const b = v[i];
      out[i] = b > BigInt(I32_MAX) ? I32_MAX : b < BigInt(I32_MIN) ? I32_MIN : Number(b);
    }
    return out;
  }
  if (v instanceof Int32Array) return v;
  return Int32Array.from(v as ArrayLike<number>, (x) => Math.max(I32_MIN, Math.min(I32_MAX, Number(x))));
}

export function constToTensor(c: ConstTensor): tf.Tensor {
  return tf.tensor(constValues(c), c.dims, tfDtype(c.dtype));
}
