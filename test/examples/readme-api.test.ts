/**
 * The README's TypeScript example, line for line, through the package entry point (src/index.ts) on the
 * bundled Fashion-MNIST example: no backend set-up, no extra imports.
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadOnnxModel, NNCFConfig, createCompressedModel, exportCompressedModel, loadData } from '../../src/index.js';

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
}, 60_000);
