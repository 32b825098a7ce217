/**
 * How far a rendered direction set is from the data the PP-OCR classifier was trained on, seen through
 * its BatchNorm layers: per BN input channel, the mean and variance over the set (FP32 model, eval mode,
 * onnxruntime-node) against the running statistics stored in the model. BatchNorm adaptation — on by
 * default in NNCF quantization — replaces the stored statistics with the set's, so a large mismatch
 * means adaptation moves the FP32 model itself.
 *
 *   npm run bench:ocr-bn-mismatch -- [SET_DIR]      # default .cache/data/ocr-direction (npm run data:ocr-direction)
 *
 * Prints, per BN (first six and every eighth) and averaged over all: z = mean over channels of
 * |mean − running_mean| / √running_var, and the mean of |log(var / running_var)| (signed mean too).
 */
import { loadDirectionSet, DEFAULT_SET_DIR } from './direction-set.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { OrtSession } from '../../src/runtime/index.js';

const OCR_CLS = '.cache/data/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx';
const EPS = 1e-5;

interface Mismatch {
  z: number;
  zSigned: number;
  logVar: number;
  logVarSigned: number;
}

/** Per-channel statistics of an NCHW tensor against running mean/var, averaged over channels. */
function channelMismatch(data: Float32Array, shape: readonly number[], runMean: Float32Array, runVar: Float32Array): Mismatch {
  const [n, c] = shape;
  const hw = data.length / (n * c);
  const m: Mismatch = { z: 0, zSigned: 0, logVar: 0, logVarSigned: 0 };
  for (let ch = 0; ch < c; ch++) {
    let s1 = 0, s2 = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < hw; j++) {
        const v = data[(i * c + ch) * hw + j];
        s1 += v;
        s2 += v * v;
      }
    const mean = s1 / (n * hw);
    const variance = s2 / (n * hw) - mean * mean;
    const z = (mean - runMean[ch]) / Math.sqrt(runVar[ch] + EPS);
    const lv = Math.log((variance + EPS) / (runVar[ch] + EPS));
    m.z += Math.abs(z) / c;
    m.zSigned += z / c;
    m.logVar += Math.abs(lv) / c;
    m.logVarSigned += lv / c;
  }
  return m;
}

const set = await loadDirectionSet(process.argv[2] ?? DEFAULT_SET_DIR);
const graph = await loadOnnxModel(OCR_CLS);
const bns = graph.nodes.filter((n) => n.opType === 'BatchNormalization');
const session = await OrtSession.create(OCR_CLS, { extraOutputs: bns.map((b) => b.inputs[0]) });
const out = await session.run(set.x);
await session.release();
const fmt = (m: Mismatch) =>
  `z ${m.z.toFixed(3)} (signed ${m.zSigned.toFixed(3)})  |log var ratio| ${m.logVar.toFixed(3)} (signed ${m.logVarSigned.toFixed(3)})`;
const total: Mismatch = { z: 0, zSigned: 0, logVar: 0, logVarSigned: 0 };
bns.forEach((b, k) => {
  const t = out[b.inputs[0]];
  const stat = (name: string) => graph.initializers.get(name)!.values as Float32Array;
  const m = channelMismatch(t.data as Float32Array, t.shape, stat(b.inputs[3]), stat(b.inputs[4]));
  for (const key of Object.keys(total) as (keyof Mismatch)[]) total[key] += m[key] / bns.length;
  if (k < 6 || k % 8 === 0) console.log(`BN ${String(k).padStart(2)} ${b.name.padEnd(28)} ${fmt(m)}`);
});
console.log(`mean over ${bns.length} BNs (${set.x.shape[0]} samples): ${fmt(total)}`);
