/**
 * PP-OCRv4 rec (real, pretrained) INT8 vs FP32 on the upright rendered lines of the direction set
 * (48×192): PTQ through the API with bench/zoo/rec-int8.json (calibration on 64 lines of another seed),
 * greedy CTC decoding (bench/zoo/ctc.ts), character accuracy against the rendered text (1 − edit distance
 * / length) of FP32 and INT8 on onnxruntime, of the simulated INT8 model (fake quantizers on the tfjs
 * engine, `--sim-lines`), and INT8's agreement with FP32; latency (1 thread, batch 1, interleaved), size.
 *   npx tsx bench/zoo/ppocr-rec.ts [--lines 300] [--sim-lines 100] [--config bench/zoo/rec-int8.json] [--latency-check]
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import { BNAdaptationInitArgs, NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import { Dataset, readNpy } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { latencyCheck } from '../../src/latency-check.js';
import { countLinearKernels, interleavedLatencies, OrtSession } from '../../src/runtime/index.js';
import { DEFAULT_KEYS, loadDirectionSet } from '../ocr/direction-set.js';
import { characterAccuracy, greedyCtc, idsToText, loadCtcAlphabet } from './ctc.js';

export const REC = '.cache/data/ocr-models/ch_PP-OCRv4_rec_infer.onnx';
const arg = (k: string, d: string) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
const lines = Number(arg('--lines', '300'));
const simLines = Math.min(lines, Number(arg('--sim-lines', '100')));
const configPath = arg('--config', 'bench/zoo/rec-int8.json');

await initBackend('wasm');
const set = await loadDirectionSet();
const alphabet = loadCtcAlphabet(DEFAULT_KEYS);
const shape = [1, ...set.x.shape.slice(1)];
const per = shape.reduce((a, b) => a * b, 1);
const upright = Array.from(set.labels.data, Number).flatMap((l, k) => (l === 0 ? [k] : [])).slice(0, lines);
const truth = upright.map((k) => [...set.meta.samples[k].text]);
const sample = (k: number) => (set.x.data as Float32Array).slice(k * per, (k + 1) * per);
const decode = (probs: Float32Array, steps: number, classes: number) => [...idsToText(greedyCtc(probs, steps, classes), alphabet)];

async function ortTexts(model: string | Uint8Array): Promise<string[][]> {
  const s = await OrtSession.create(model as never, { intraOpThreads: 1 });
  try {
    const res: string[][] = [];
    for (const k of upright) {
      const y = Object.values(await s.run({ dtype: 'float32', shape, data: sample(k) } as never))[0];
      res.push(decode(y.data as Float32Array, y.shape[1], y.shape[2]));
    }
    return res;
  } finally {
    await s.release();
  }
}

const t0 = performance.now();
const config = NNCFConfig.fromFile(configPath);
const calib = await readNpy('.cache/data/ocr-direction-calib/x.npy');
const loader = { dataset: new Dataset(calib as never), batchSize: 8 };
config.registerExtraStructs([new QuantizationRangeInitArgs(loader), new BNAdaptationInitArgs(loader)]);
const r = await createCompressedModel(await loadOnnxModel(REC), config);
const check = process.argv.includes('--latency-check') ? await latencyCheck(r, { feeds: { dtype: 'float32', shape, data: sample(upright[0]) } as never }) : null;
const int8 = exportCompressedModelBytes(r);
const seconds = (performance.now() - t0) / 1000;
const stats = r.controller.statistics().values;
// the simulated model: fake quantizers on the tfjs engine, first `simLines` lines
const sim: string[][] = [];
const [inName, outName] = [r.model.graph.inputs[0].name, r.model.graph.outputs[0].name];
for (const k of upright.slice(0, simLines)) {
  const x = tf.tensor(sample(k), shape);
  const y = r.model.run({ [inName]: x }, { outputs: [outName] })[outName];
  sim.push(decode(y.dataSync() as Float32Array, y.shape[1]!, y.shape[2]!));
  tf.dispose([x, y]);
}
r.controller.dispose();
r.model.engine.dispose();
const [f, q] = [await ortTexts(REC), await ortTexts(int8)];
const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
const fp32 = new Uint8Array(readFileSync(REC));
const k = await countLinearKernels(int8);
const [lf, lq] = await interleavedLatencies([fp32, int8], { dtype: 'float32', shape, data: sample(upright[0]) } as never, { runs: 30, warmup: 3 });
const chars = truth.reduce((a, t) => a + t.length, 0);
const kept = check ? `${check.floatBlocks.length} / ${check.blocks.length}` : 'off';
console.log('| model | config | quantizers w / a | chars (lines) | FP32 char acc | INT8 ORT char acc | INT8 simulated char acc (first lines) | INT8 vs FP32 agreement | integer / float Conv+MatMul | blocks kept float | FP32 / INT8 ms (min) | size INT8/FP32 | PTQ s |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
console.log(`| PP-OCRv4 rec (pretrained) | ${configPath} | ${stats['Weight quantizers']} / ${stats['Activation quantizers']} | ${chars} (${upright.length}) | ${pct(characterAccuracy(truth, f))} | ${pct(characterAccuracy(truth, q))} | ${pct(characterAccuracy(truth.slice(0, simLines), sim))} (FP32 ${pct(characterAccuracy(truth.slice(0, simLines), f.slice(0, simLines)))}; ${simLines} lines) | ${pct(characterAccuracy(f, q))} | ${k.integer} / ${k.float} | ${kept} | ${lf.min.toFixed(2)} / ${lq.min.toFixed(2)} | ${(int8.length / fp32.length).toFixed(3)} | ${seconds.toFixed(0)} |`);
