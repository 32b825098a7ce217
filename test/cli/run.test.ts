import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { encodeNpy, ndarray, readNpy } from '../../src/data/index.js';
import { affineModel, twoInputModel } from '../runtime/tiny-models.js';
import { assignInputs, outputFileName } from '../../src/cli/commands/run.js';

let dir: string;
const p = (name: string) => join(dir, name);
const x = ndarray('float32', [2, 3], Float32Array.from([1, -2, 3, -4, 5, -6]));
const expectedY = [1.5, 0.5, 9.5, 0.5, 10.5, 0.5];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-run-'));
  await writeFile(p('affine.onnx'), affineModel());
  await writeFile(p('two.onnx'), twoInputModel());
  await writeFile(p('x.npy'), encodeNpy(x));
  await writeFile(p('x64.npy'), encodeNpy(ndarray('float64', [1, 3], Float64Array.from([-1, 2, 0.25]))));
  await writeFile(p('wide.npy'), encodeNpy(ndarray('float32', [2, 4])));
  await writeFile(p('a.npy'), encodeNpy(ndarray('float32', [2], Float32Array.from([1, 2]))));
  await writeFile(p('bi.npy'), encodeNpy(ndarray('int64', [2], BigInt64Array.from([3n, -4n]))));
  await writeFile(p('bad.npy'), 'not numpy at all');
  await writeFile(p('bad.onnx'), new Uint8Array([1, 2, 3, 4, 5, 6]));
});

const cli = (...args: string[]) => runCli('run', ...args);

afterEach(() => vi.restoreAllMocks());

describe('nncf-ts run (in process)', () => {
  it('runs on onnxruntime and writes the first output', async () => {
    const r = await cli('--model', p('affine.onnx'), '--input', p('x.npy'), '--output', p('y.npy'), '--threads', '1');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain("output 'y' float32 [2, 3]");
    const y = await readNpy(p('y.npy'));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data as Float32Array)).toEqual(expectedY);
  });

  it('runs on the engine (wasm and cpu) with the same result', async () => {
    for (const backend of ['wasm', 'cpu']) {
      const out = p(`y-engine-${backend}.npy`);
      const r = await cli('--model', p('affine.onnx'), '--input', `x=${p('x.npy')}`, '--output', out, '--runtime', 'engine', '--backend', backend);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      Array.from((await readNpy(out)).data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expectedY[i], 6));
    }
  });

  it('feeds named inputs (int64 too) and writes every output into --output-dir', async () => {
    for (const runtime of ['ort', 'engine']) {
      const outDir = p(`outs-${runtime}`);
      const r = await cli('--model', p('two.onnx'), '--input', `bi=${p('bi.npy')}`, '--input', `a=${p('a.npy')}`, '--output-dir', outDir, '--runtime', runtime);
      expect(r.code).toBe(0);
      expect((await readdir(outDir)).sort()).toEqual(['cast.npy', 'sum.npy']);
      expect(Array.from((await readNpy(join(outDir, 'sum.npy'))).data as Float32Array)).toEqual([2, 4]);
      expect(Array.from((await readNpy(join(outDir, 'cast.npy'))).data as Float32Array)).toEqual([3, -4]);
    }
  });

  it('casts float64 inputs to the model dtype with a note', async () => {
    const r = await cli('--model', p('affine.onnx'), '--input', p('x64.npy'), '--output', p('y64.npy'));
    expect(r.code).toBe(0);
    expect(r.err).toBe("nncf-ts: note: input 'x' cast from float64 to float32\n");
    expect(Array.from((await readNpy(p('y64.npy'))).data as Float32Array)).toEqual([0.5, 4.5, 1.25]);
  });

  it('reports a wrong input shape clearly (exit 1), on both runtimes', async () => {
    const r = await cli('--model', p('affine.onnx'), '--input', p('wide.npy'), '--output', p('never.npy'));
    expect(r.code).toBe(1);
    expect(r.err).toBe("nncf-ts: input 'x': expected shape [N, 3], got [2, 4]\n");
    const e = await cli('--model', p('affine.onnx'), '--input', p('wide.npy'), '--output', p('never.npy'), '--runtime', 'engine', '--backend', 'cpu');
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/input "x" expects shape \[N,3\], got \[2,4\]/);
    expect(await readdir(dir)).not.toContain('never.npy');
  });

  it.each([
    [['--input', 'x.npy', '--output', 'o.npy'], /required option '--model <file>' not specified/],
    [['--model', 'M', '--input', 'x.npy'], /give --output OUT\.npy or --output-dir DIR/],
    [['--model', 'M', '--output', 'o.npy'], /give at least one --input FILE\.npy/],
    [['--model', 'M', '--input', 'x.npy', '--output', 'o.npy', '--runtime', 'tvm'], /argument 'tvm' is invalid/],
    [['--model', 'M', '--input', 'x.npy', '--output', 'o.npy', '--backend', 'cpu'], /--backend applies to --runtime engine only/],
    [['--model', 'M', '--input', 'x.npy', '--output', 'o.npy', '--threads', 'two'], /--threads must be a positive integer, got 'two'/],
    [['--model', 'M', '--input', 'x.npy', '--output', 'o.npy', '--threads', '2', '--runtime', 'engine'], /--threads applies to --runtime ort only/],
  ])('bad arguments %j → one line, exit 2', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('unreadable files → one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--model', p('missing.onnx'), '--input', p('x.npy'), '--output', p('o.npy')], /onnxruntime cannot load .*missing\.onnx/],
      [['--model', p('bad.onnx'), '--input', p('x.npy'), '--output', p('o.npy')], /onnxruntime cannot load .*bad\.onnx/],
      [['--model', p('affine.onnx'), '--input', p('nope.npy'), '--output', p('o.npy')], /input 'x': cannot read .*nope\.npy: no such file/],
      [['--model', p('affine.onnx'), '--input', p('bad.npy'), '--output', p('o.npy')], /input 'x': .*bad\.npy: not a \.npy file/],
      [['--model', p('affine.onnx'), '--input', `z=${p('x.npy')}`, '--output', p('o.npy')], /'z' is not an input of the model \(inputs: x\)/],
      [['--model', p('two.onnx'), '--input', p('a.npy'), '--output', p('o.npy')], /cannot tell which input .* is for; use NAME=FILE \(model inputs: a, bi\)/],
      [['--model', p('affine.onnx'), '--input', p('x.npy'), '--output', p('no/such/dir/o.npy')], /cannot write .*o\.npy/],
      [['--model', p('bad.onnx'), '--input', p('x.npy'), '--output', p('o.npy'), '--runtime', 'engine'], /bad\.onnx.*not .*ONNX model/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.err).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect((await readdir(dir)).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('maps input specs and output names', async () => {
    await writeFile(p('k=v.npy'), encodeNpy(x));
    expect(assignInputs([p('k=v.npy')], ['x'])).toEqual({ x: p('k=v.npy') });
    expect(assignInputs(['a.npy'], ['x'])).toEqual({ x: 'a.npy' });
    expect(assignInputs(['b=1.npy', 'q.npy'], ['a', 'b'])).toEqual({ a: 'q.npy', b: '1.npy' });
    expect(() => assignInputs(['dir=v/x.npy'], ['x'])).toThrow(/'dir' is not an input of the model \(inputs: x\)/);
    expect(assignInputs(['package.json'], ['x'])).toEqual({ x: 'package.json' });
    expect(() => assignInputs(['a=1.npy', 'a=2.npy'], ['a'])).toThrow(/input 'a' is given twice/);
    expect(() => assignInputs(['a=1.npy'], ['a', 'b'])).toThrow(/no data for input 'b'; add --input NAME=FILE\.npy/);
    expect(() => assignInputs(['1.npy', '2.npy'], ['a', 'b'])).toThrow(/give NAME=FILE for each input/);
    expect(outputFileName('logits')).toBe('logits.npy');
    expect(outputFileName('../model/out:0')).toBe('__model_out_0.npy');
  });
});

describe('nncf-ts run (through bin/nncf-ts.js)', () => {
  it('runs the model and exits 0; a bad file exits 2 with one line', async () => {
    const run = promisify(execFile);
    const out = p('bin-y.npy');
    const ok = await run('node', ['bin/nncf-ts.js', 'run', '--model', p('affine.onnx'), '--input', p('x.npy'), '--output', out]);
    expect(ok.stdout).toContain(`wrote ${out}`);
    expect(Array.from((await readNpy(out)).data as Float32Array)).toEqual(expectedY);
    const bad = await run('node', ['bin/nncf-ts.js', 'run', '--model', p('affine.onnx'), '--input', p('bad.npy'), '--output', out]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^nncf-ts: input 'x': .*not a \.npy file/);
  });
});
