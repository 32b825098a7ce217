/**
 * The README's TypeScript example, line for line, imported as the README writes it (`from 'nncf-ts'`,
 * the package's self-reference through package.json "exports" → src/index.ts) on the bundled
 * Fashion-MNIST example: no build, no backend set-up, no extra imports.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadOnnxModel, NNCFConfig, createCompressedModel, exportCompressedModel, loadData } from 'nncf-ts';

it('README example: load, compress with int8.json, print statistics, export', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'readme-api-')), 'fashion-int8.onnx');
  const graph = await loadOnnxModel('examples/fashion-mnist/model.onnx');
  const config = NNCFConfig.fromFile('examples/fashion-mnist/int8.json');
  const initDataset = await loadData('examples/fashion-mnist/images.npy');
  const result = await createCompressedModel(graph, config, { initDataset });
  const text = result.controller.statistics().toString();
  exportCompressedModel(result, out);
  result.controller.dispose();
  expect(text).toContain('Statistics of quantization:');
  expect(existsSync(out)).toBe(true);
  expect(statSync(out).size / statSync('examples/fashion-mnist/model.onnx').size).toBeLessThan(0.27);
});

it('from a fresh clone, `import … from \'nncf-ts\'` resolves to the TypeScript sources under tsx: no build step', () => {
  const script = "import { NNCFConfig, loadData } from 'nncf-ts'; console.log(import.meta.resolve('nncf-ts'), typeof NNCFConfig.fromFile, typeof loadData);";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toMatch(/^file:\/\/.*\/src\/index\.ts function function$/);
});
