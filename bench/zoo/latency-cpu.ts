/**
 * "Never slower than FP32" under load: PTQ + latency check (per block, on each block's own piece), then the
 * exported model vs FP32 timed in CPU time (1 intra-op thread, batch 1, interleaved): CPU time does not count
 * the time other processes hold the core, so the ratio holds on a loaded machine. Prints one row per model.
 *
 *   npm run bench:zoo-latency-cpu -- [--all-settings] [--whole-model] resnet18-folded-b1 mobilenet_v3_small-bn-b1 ppocr-cls …
 *
 * --all-settings: the check times batch 1 and 8 × 1 and 2 threads (the CLI default); otherwise batch 1, 1 thread.
 * --max-blocks N: at most N blocks (default 12; pieces are cheap to time, so finer blocks cost little).
 * --whole-model: the older check (each block judged by timing whole models), for comparison.
 * `ppocr-cls` runs `nncf-ts compress` on the pretrained PP-OCR direction classifier (bench/ocr/cls-int8.json).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { countLinearKernels, interleavedLatencies, pairedRatio } from '../../src/runtime/index.js';
import { DEFAULT_CLS_MODEL } from '../ocr/accuracy.js';
import { isCurrentSet } from '../ocr/direction-set.js';
import { compressCommand } from '../ocr/int8.js';
import { DEFAULT_SEED, makeAndSave } from '../ocr/make-set.js';
import { quantizeZooModel } from './ptq.js';
import { randomImages, ZOO_DIR } from './zoo.js';

const args = process.argv.slice(2);
const allSettings = args.includes('--all-settings');
const perBlock = !args.includes('--whole-model');
const settings = allSettings ? undefined : [{ batch: 1, threads: 1 }];
const maxBlocksAt = args.indexOf('--max-blocks');
const maxBlocks = maxBlocksAt >= 0 ? Number(args[maxBlocksAt + 1]) : undefined;

async function quantized(name: string): Promise<{ fp32: Uint8Array; int8: Uint8Array; x: never; check: string; checkCpu: number; floatBlocks?: string[] }> {
  if (name === 'ppocr-cls') {
    const calib = '.cache/data/ocr-direction-calib';
    if (!(await isCurrentSet(calib, 128, DEFAULT_SEED + 1))) await makeAndSave(128, DEFAULT_SEED + 1, calib);
    mkdirSync('.cache/bench', { recursive: true });
    const out = '.cache/bench/cls-int8-latency-cpu.onnx';
    // the CLI's check runs at its defaults (every setting, per block); its CPU time is the child's, so wall seconds here
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', ...compressCommand(DEFAULT_CLS_MODEL, `${calib}/x.npy`, out)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`compress failed: ${r.stderr}`);
    const kept = /Latency check: blocks kept float\s+│ ([^│]+)│/.exec(r.stdout)?.[1].trim() ?? '?';
    const seconds = (performance.now() - t0) / 1000;
    return { fp32: new Uint8Array(readFileSync(DEFAULT_CLS_MODEL)), int8: new Uint8Array(readFileSync(out)), x: { dtype: 'float32', shape: [1, 3, 48, 192], data: randomImages(1, 7, 192).data.slice(0, 3 * 48 * 192) } as never, check: `float ${kept} (CLI defaults; compress ${seconds.toFixed(1)} s wall)`, checkCpu: Number.NaN };
  }
  const q = await quantizeZooModel(`${ZOO_DIR}/${name}.onnx`, {}, 8, { latencyCheck: { settings, perBlock, maxBlocks } });
  const s = q.latency!;
  return { fp32: q.fp32, int8: q.int8, x: randomImages(1, 7) as never, check: `float ${s.floatBlocks.length} / ${s.blocks.length}${s.allFloat ? ' (all)' : ''}, ${q.checkSeconds.toFixed(1)} s`, floatBlocks: s.floatBlocks.map((b) => `${b.name}: ${b.quantizedMs.toFixed(2)} → ${b.floatMs.toFixed(2)} ms`), checkCpu: q.checkCpuSeconds };
}

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; check ${perBlock ? 'per block' : 'whole model'}, ${allSettings ? 'all settings' : 'batch 1 / 1 thread'}, max blocks ${maxBlocks ?? 12}`);
console.log('| model | check | check CPU s | integer / float Conv+Gemm | INT8/FP32 CPU min | CPU paired median | wall min |');
for (const name of args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--max-blocks')) {
  const m = await quantized(name);
  const k = await countLinearKernels(m.int8);
  const [f, q] = await interleavedLatencies([m.fp32, m.int8], m.x, { runs: 30, warmup: 3, threads: 1, clock: 'cpu' });
  const [fw, qw] = await interleavedLatencies([m.fp32, m.int8], m.x, { runs: 15, warmup: 2, threads: 1 });
  if (m.floatBlocks?.length) console.log(`  ${name} blocks kept float (piece ms quantized → float): ${m.floatBlocks.join('; ')}`);
  console.log(`| ${name} | ${m.check} | ${m.checkCpu.toFixed(1)} | ${k.integer} / ${k.float} | ${(f.min / q.min).toFixed(2)}× | ${pairedRatio(q, f).toFixed(2)}× | ${(fw.min / qw.min).toFixed(2)}× |`);
}
console.log(`load average after ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
