import { describe, expect, it } from 'vitest';
import {
  bfloat16BitsToFloat32Bits, float16BitsToFloat32Bits, float32Bits, float32BitsToBfloat16Bits,
  float32BitsToFloat16Bits, float32ToFloat8, float8ToFloat32, decodeTensor, encodeTensor,
} from '../../src/graph/onnx-proto/index.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number) => ((u32[0] = b), f32[0]);

describe('narrow float formats', () => {
  it('float16: all 65536 codes decode to the IEEE value and encode back to the same bits', () => {
    for (let h = 0; h < 65536; h++) {
      const bits = float16BitsToFloat32Bits(h);
      expect(float32BitsToFloat16Bits(bits)).toBe(h);
    }
    expect(fromBits(float16BitsToFloat32Bits(0x3c00))).toBe(1);
    expect(fromBits(float16BitsToFloat32Bits(0x7bff))).toBe(65504);
    expect(fromBits(float16BitsToFloat32Bits(0x0001))).toBe(2 ** -24);
    expect(fromBits(float16BitsToFloat32Bits(0xfc00))).toBe(-Infinity);
  });

  it('float16 rounds to nearest even and overflows to infinity', () => {
    expect(float32BitsToFloat16Bits(float32Bits(1 + 2 ** -11))).toBe(0x3c00); // tie → even
    expect(float32BitsToFloat16Bits(float32Bits(1 + 3 * 2 ** -11))).toBe(0x3c02);
    expect(float32BitsToFloat16Bits(float32Bits(70000))).toBe(0x7c00);
    expect(float32BitsToFloat16Bits(float32Bits(2 ** -26))).toBe(0); // below half the smallest subnormal
  });

  it('bfloat16: all codes round-trip; rounding to nearest even', () => {
    for (let b = 0; b < 65536; b++) expect(float32BitsToBfloat16Bits(bfloat16BitsToFloat32Bits(b))).toBe(b);
    expect(float32BitsToBfloat16Bits(float32Bits(1 + 2 ** -8))).toBe(0x3f80);
    expect(float32BitsToBfloat16Bits(float32Bits(1 + 3 * 2 ** -8))).toBe(0x3f82);
  });

  it('float8: every finite code round-trips; known values', () => {
    for (const kind of ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz'] as const)
      for (let c = 0; c < 256; c++) {
        const v = float8ToFloat32(c, kind);
        if (Number.isFinite(v) && !(v === 0 && c !== 0 && kind.endsWith('fnuz'))) expect(float32ToFloat8(v, kind)).toBe(c);
      }
    expect(float8ToFloat32(0x7e, 'float8e4m3fn')).toBe(448);
    expect(float8ToFloat32(0x7b, 'float8e5m2')).toBe(57344);
    expect(Number.isNaN(float8ToFloat32(0x80, 'float8e4m3fnuz'))).toBe(true);
    expect(float32ToFloat8(1000, 'float8e4m3fn')).toBe(0x7e); // saturates
  });
});

describe('tensor codec', () => {
  it('int4/uint4 pack two per byte, low nibble first (odd count padded)', () => {
    const t = decodeTensor({ name: 'q', data_type: 22, dims: [3], raw_data: Uint8Array.of(0xf8, 0x07) });
    expect(Array.from(t.values as Int8Array)).toEqual([-8, -1, 7]);
    const u = decodeTensor({ name: 'u', data_type: 21, dims: [3], int32_data: [0x21, 0x0f] });
    expect(Array.from(u.values as Uint8Array)).toEqual([1, 2, 15]);
    expect(encodeTensor({ ...t, raw: undefined }).raw_data).toEqual(Uint8Array.of(0xf8, 0x07));
  });

  it('every storage field decodes (typed fields, raw, strings, 64-bit)', () => {
    expect(Array.from(decodeTensor({ data_type: 7, dims: [2], int64_data: [-5, 9007199254740993n as unknown as number] }).values as BigInt64Array)).toEqual([-5n, 9007199254740993n]);
    expect(decodeTensor({ data_type: 8, dims: [2], string_data: [Uint8Array.of(104, 105), new Uint8Array()] }).values).toEqual(['hi', '']);
    expect(Array.from(decodeTensor({ data_type: 11, dims: [1], double_data: [Math.PI] }).values as Float64Array)).toEqual([Math.PI]);
    expect(Array.from(decodeTensor({ data_type: 9, dims: [3], int32_data: [1, 0, 1] }).values as Uint8Array)).toEqual([1, 0, 1]);
    expect(() => decodeTensor({ name: 'short', data_type: 1, dims: [4], raw_data: new Uint8Array(8) })).toThrow(/"short".*needs 16 bytes but has 8/);
  });

  it('an edited tensor keeps its original storage field', () => {
    const t = decodeTensor({ name: 'w', data_type: 1, dims: [2], float_data: [1, 2] });
    (t.values as Float32Array)[1] = 3;
    expect(encodeTensor(t)).toMatchObject({ name: 'w', float_data: [1, 3] });
  });
});
