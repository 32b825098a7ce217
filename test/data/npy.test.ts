import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataError,
  ND_DTYPES,
  encodeNpy,
  halfToFloat,
  ndarray,
  parseNpy,
  readNpy,
  writeNpy,
  type NdArray,
  type NdDType,
} from '../../src/data/index.js';

// Files written by numpy 2.4 (np.save / numpy.lib.format.write_array), base64.
const NUMPY = {
  bigEndianInt32: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAQAAAAIAAAADAAAABAAAAAU=',
  fortranFloat64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMywgNCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAChAAAAAAAAAEEAAAAAAAAAwQAAAAAAAACBAAAAAAAAANEAAAAAAAADwPwAAAAAAACpAAAAAAAAAFEAAAAAAAAAxQAAAAAAAACJAAAAAAAAANUAAAAAAAAAAQAAAAAAAACxAAAAAAAAAGEAAAAAAAAAyQAAAAAAAACRAAAAAAAAANkAAAAAAAAAIQAAAAAAAAC5AAAAAAAAAHEAAAAAAAAAzQAAAAAAAACZAAAAAAAAAN0A=',
  v2Uint16: 'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8dTInLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAIA//8=',
  v3Bool: 'k05VTVBZAwB0AAAAeydkZXNjcic6ICd8YjEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAB',
  float16: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAPgDA/3s=',
  scalar: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAFBA',
  bigEndianFloat64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/+AAAAAAAAL/QAAAAAAAA',
  float32_2x3: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPwAAAEAAAEBAAACAQAAAoEA=',
  int64_1d: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//////////wAAAAAAAQAA',
};
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const values = (a: NdArray) => Array.from(a.data as ArrayLike<number | bigint>);

function sample(dtype: NdDType): NdArray {
  const raw: Record<NdDType, ArrayLike<number | bigint>> = {
    float32: [1.5, -2.25, 3e-8, 1e30, 0, -0],
    float64: [Math.PI, -1e300, 5e-324, 2, 0, 1],
    float16: [0x3e00, 0xc000, 0x7bff, 0x0001, 0, 0x8000],
    int8: [-128, 127, 0, -1, 5, 6],
    uint8: [0, 255, 1, 2, 3, 4],
    int16: [-32768, 32767, 0, -1, 300, 7],
    uint16: [0, 65535, 1, 256, 2, 3],
    int32: [-(2 ** 31), 2 ** 31 - 1, 0, -7, 8, 9],
    uint32: [0, 2 ** 32 - 1, 1, 2, 3, 4],
    int64: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -5n, 6n, 7n],
    uint64: [0n, 2n ** 64n - 1n, 1n, 2n, 3n, 4n],
    bool: [1, 0, 0, 1, 1, 0],
  };
  const arr = ndarray(dtype, [2, 3]);
  (arr.data as unknown as { set(v: ArrayLike<number | bigint>): void }).set(raw[dtype]);
  return arr;
}

describe('npy', () => {
  it.each(ND_DTYPES)('round-trips %s through encode/parse with shape and values kept', (dtype) => {
    const arr = sample(dtype);
    const back = parseNpy(encodeNpy(arr));
    expect(back.dtype).toBe(dtype);
    expect(back.shape).toEqual([2, 3]);
    expect(values(back)).toEqual(values(arr));
  });

  it('writes the same bytes as numpy.save', () => {
    const f4 = ndarray('float32', [2, 3], Float32Array.from([0, 1, 2, 3, 4, 5]));
    expect(Buffer.from(encodeNpy(f4)).toString('base64')).toBe(NUMPY.float32_2x3);
    const i8 = ndarray('int64', [2], BigInt64Array.from([-1n, 2n ** 40n]));
    expect(Buffer.from(encodeNpy(i8)).toString('base64')).toBe(NUMPY.int64_1d);
  });

  it('pads headers so the data starts on a 64-byte boundary, for every version', () => {
    for (const version of [1, 2, 3] as const) {
      const bytes = encodeNpy(sample('int16'), { version });
      const headerLen = version === 1 ? bytes[8] | (bytes[9] << 8) : new DataView(bytes.buffer).getUint32(8, true);
      expect((headerLen + (version === 1 ? 10 : 12)) % 64).toBe(0);
      expect(bytes[6]).toBe(version);
      expect(values(parseNpy(bytes))).toEqual(values(sample('int16')));
    }
  });

  it('reads numpy files: big endian, Fortran order, v2/v3 headers, bool, float16, scalar', () => {
    const be = parseNpy(b64(NUMPY.bigEndianInt32));
    expect(be).toMatchObject({ dtype: 'int32', shape: [2, 3] });
    expect(values(be)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(values(parseNpy(b64(NUMPY.bigEndianFloat64)))).toEqual([1.5, -0.25]);

    const f = parseNpy(b64(NUMPY.fortranFloat64)); // np.asfortranarray(np.arange(24).reshape(2,3,4))
    expect(f.shape).toEqual([2, 3, 4]);
    expect(values(f)).toEqual(Array.from({ length: 24 }, (_, i) => i));

    expect(values(parseNpy(b64(NUMPY.v2Uint16)))).toEqual([1, 2, 65535]);
    const bool = parseNpy(b64(NUMPY.v3Bool));
    expect(bool).toMatchObject({ dtype: 'bool', shape: [2, 2] });
    expect(values(bool)).toEqual([1, 0, 0, 1]);

    const half = parseNpy(b64(NUMPY.float16));
    expect(Array.from(half.data as Uint16Array, halfToFloat)).toEqual([1.5, -2, 65504]);
    const scalar = parseNpy(b64(NUMPY.scalar));
    expect(scalar.shape).toEqual([]);
    expect(values(scalar)).toEqual([3.25]);
  });

  it('rejects bad files with clear errors', () => {
    const good = encodeNpy(sample('float32'));
    expect(() => parseNpy(new Uint8Array([1, 2, 3]), 'x.npy')).toThrow(/x\.npy: not a \.npy file/);
    const v9 = good.slice();
    v9[6] = 9;
    expect(() => parseNpy(v9)).toThrow(/unsupported \.npy format version 9\.0/);
    expect(() => parseNpy(good.subarray(0, 40))).toThrow(/truncated header/);
    expect(() => parseNpy(good.subarray(0, good.length - 3), 'a.npy')).toThrow(
      /a\.npy: truncated data: shape \[2, 3\] needs 24 bytes, file has 21/,
    );
    const swap = (from: string, to: string) =>
      new Uint8Array(Buffer.from(Buffer.from(good).toString('latin1').replace(from, to), 'latin1'));
    expect(() => parseNpy(swap("'<f4'", "'<U3'"))).toThrow(DataError);
    expect(() => parseNpy(swap("'<f4'", "'<U3'"))).toThrow(/unsupported dtype '<U3'/);
    expect(() => parseNpy(swap("'descr': '<f4'", "'descr': [('a'"))).toThrow(/structured dtypes/);
    expect(() => parseNpy(swap("'shape'", "'shope'"))).toThrow(/no 'shape'/);
    expect(() => parseNpy(swap('False', 'Maybe'))).toThrow(/no 'fortran_order'/);
  });

  it('writes files atomically and reads them back; missing files give DataError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'npy-'));
    const path = join(dir, 'a.npy');
    await writeFile(path, 'old');
    await writeNpy(path, sample('uint8'));
    expect(values(await readNpy(path))).toEqual(values(sample('uint8')));
    expect(await readdir(dir)).toEqual(['a.npy']);
    await expect(readNpy(join(dir, 'nope.npy'))).rejects.toThrow(/cannot read .*nope\.npy: no such file/);
    await expect(writeNpy(join(dir, 'missing-dir', 'b.npy'), sample('uint8'))).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['a.npy']);
  });
});
