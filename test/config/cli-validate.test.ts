import { describe, expect, it, vi, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerValidate } from '../../src/cli/commands/validate.js';
import { FIXTURES } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'nncf-validate-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const good = join(FIXTURES, 'classification', 'resnet50_imagenet_int8.json');
const bad = join(FIXTURES, 'invalid', 'bad_algo.json');

/** Runs the command in-process, the way src/cli/main.ts wires it. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  let code = 0;
  const program = new Command('nncf-ts')
    .exitOverride()
    .configureOutput({ writeErr: (s) => (stderr += s), writeOut: (s) => (stdout += s) });
  registerValidate(program, (c) => (code = c));
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    code = err.exitCode === 0 ? 0 : 2;
  } finally {
    vi.restoreAllMocks();
  }
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('nncf-ts validate', () => {
  it('prints OK FILE and exits 0 when all files are valid', async () => {
    const other = join(FIXTURES, 'nlp', 'bert_squad_int8.json');
    expect(await run('validate', good, other)).toEqual({
      code: 0,
      stdout: `OK ${good}\nOK ${other}\n`,
      stderr: '',
    });
  });
  it('prints the errors and exits 1 when any file is invalid', async () => {
    const result = await run('validate', good, bad);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      `OK ${good}`,
      `FAIL ${bad}`,
      `  ${bad}:3:21: compression.algorithm: Incorrect algorithm name - must be one of [quantization, experimental_quantization, binarization, filter_pruning, magnitude_sparsity, rb_sparsity, const_sparsity, movement_sparsity, knowledge_distillation], found string "bad_algo"`,
    ]);
  });
  it('shows the suggestion and the hint', async () => {
    const file = write('typo.json', '{"compression": {"algorithm": "quantisation"}}');
    expect((await run('validate', file)).stdout).toContain(
      'found string "quantisation" - did you mean "quantization"?',
    );
  });
  it('prints warnings under OK and still exits 0', async () => {
    const file = write('warn.json', '{"preset": "mixed", "compression": {"algorithm": "quantization"}}');
    const result = await run('validate', file);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `OK ${file}\n  ${file}:1:2: warning: preset: "preset" at the top level is ignored by NNCF - "preset" is a key of quantization, experimental_quantization (at compression[].preset), not of the top level\n`,
    );
  });
  it('reports syntax errors with line and column', async () => {
    const file = write('syntax.json', '{\n  "a": 1,\n  "b" 2\n}');
    const result = await run('validate', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`FAIL ${file}\n  ${file}:3:7: not valid JSON: colon expected near "2"\n`);
  });
  it('exits 2 when a file cannot be read, after checking the others', async () => {
    const missing = join(dir, 'missing.json');
    const result = await run('validate', missing, bad, good);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`FAIL ${missing}\n  ${missing}: file not found\n`);
    expect(result.stdout).toContain(`OK ${good}\n`);
  });
  it('is a usage error (exit 2) without files', async () => {
    const result = await run('validate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'files'");
  });
  it('--print-defaults prints the filled config on stdout, status on stderr', async () => {
    const file = write(
      'small.json',
      '// small\n{"compression": {"algorithm": "knowledge_distillation", "type": "softmax",},}',
    );
    const result = await run('validate', '--print-defaults', file);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`OK ${file}\n`);
    expect(JSON.parse(result.stdout)).toEqual({
      compression: { algorithm: 'knowledge_distillation', type: 'softmax', scale: 1, temperature: 1 },
      target_device: 'ANY',
      disable_shape_matching: false,
    });
  });
  it('--print-defaults with several files labels each document', async () => {
    const a = write('a.json', '{}');
    const result = await run('validate', '--print-defaults', a, bad, a);
    expect(result.code).toBe(1);
    const doc = JSON.stringify({ target_device: 'ANY', disable_shape_matching: false }, null, 2);
    expect(result.stdout).toBe(`// ${a}\n${doc}\n// ${a}\n${doc}\n`);
    expect(result.stderr).toContain(`FAIL ${bad}`);
  });
});

describe('the real CLI process', () => {
  it('exit codes 0 / 1 / 2 through src/cli/main.ts', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
        cwd: ROOT,
        encoding: 'utf8',
      });
    const ok = cli('validate', good);
    expect([ok.status, ok.stdout]).toEqual([0, `OK ${good}\n`]);
    expect(cli('validate', bad).status).toBe(1);
    // one process per exit code (each costs a tsx start-up); "no files → 2" is checked in process above
    expect(cli('validate', join(dir, 'nope.json')).status).toBe(2);
  });
});
