/**
 * npm run bench:fashion-int8 -- [--json]
 *
 * INT8 PTQ accuracy of the Fashion-MNIST reference model through the framework's own command:
 * `nncf-ts compress` with examples/fashion-mnist/int8.json (plus QDQ export, so onnxruntime runs it) on
 * the bundled calibration images, then top-1 of FP32 and INT8 on the 10k test set by `eval:fashion`, and
 * the size ratio of the two files. All in one run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import { emitJson, lastJsonLine, type BenchRow } from './types.js';

const DIR = 'examples/fashion-mnist';
const OUT = '.cache/bench';
const tsx = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8' });
const firstError = (r: ReturnType<typeof tsx>) =>
  `${r.stderr}\n${r.stdout}`.split('\n').find((l) => l.trim() && !/^npm warn/i.test(l)) ?? `exit ${r.status}`;

function top1(model: string): number {
  const r = tsx(['bench/eval-fashion.ts', model, '--json']);
  const j = lastJsonLine(r.stdout ?? '') as { top1?: number } | null;
  if (r.status !== 0 || typeof j?.top1 !== 'number')
    throw new Error(`eval:fashion ${model}: ${firstError(r)}`);
  return 100 * j.top1;
}

mkdirSync(OUT, { recursive: true });
const config = parseJsonc(readFileSync(`${DIR}/int8.json`, 'utf8')) as { compression: object | object[] };
const sections = Array.isArray(config.compression) ? config.compression : [config.compression];
for (const s of sections)
  if ((s as { algorithm?: string }).algorithm === 'quantization')
    Object.assign(s, { export_to_onnx_standard_ops: true });
writeFileSync(`${OUT}/fashion-int8.json`, JSON.stringify(config, null, 2));

const rows: BenchRow[] = [];
const int8Path = `${OUT}/fashion-int8.onnx`;
const t0 = performance.now();
const q = tsx([
  'src/cli/main.ts',
  'compress',
  '--model',
  `${DIR}/model.onnx`,
  '--config',
  `${OUT}/fashion-int8.json`,
  '--data',
  `${DIR}/images.npy`,
  '--out',
  int8Path,
]);
const ptqSeconds = (performance.now() - t0) / 1000;
const fp32 = top1(`${DIR}/model.onnx`);
if (q.status !== 0) {
  rows.push({
    metric: 'INT8 PTQ',
    note: `not available yet: nncf-ts compress: ${firstError(q).replace(/^nncf-ts:\s*/, '')}`,
  });
} else {
  const int8 = top1(int8Path);
  rows.push(
    { metric: 'PTQ wall time (nncf-ts compress, process included)', value: ptqSeconds, unit: 's' },
    {
      metric: 'INT8 PTQ top-1 (ORT, 10k test images)',
      value: int8,
      unit: '%',
      note: `FP32 ${fp32.toFixed(2)}% in the same run; Δ ${(int8 - fp32).toFixed(2)} pt`,
    },
    {
      metric: 'model size INT8 / FP32',
      value: statSync(int8Path).size / statSync(`${DIR}/model.onnx`).size,
      unit: '×',
    },
  );
}
if (process.argv.includes('--json')) emitJson({ part: 'fashion-int8', rows });
else
  for (const r of rows)
    console.log(
      `${r.metric}: ${r.value === undefined ? '' : `${r.value.toFixed(r.unit === '%' ? 2 : 3)} ${r.unit}`} ${r.note ?? ''}`,
    );
