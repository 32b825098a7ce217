/**
 * Real PyTorch exports (`npm run get-models`: torchvision ResNet-18 and MobileNetV2, seeded random
 * weights, BN folded by `eval()` export and BN kept by `training=PRESERVE` with gamma/beta behind
 * Identity) through PTQ with a config that names only the QDQ export: the same placement for both
 * export styles, every Conv and the Gemm an integer kernel in ORT's optimized graph, and the INT8
 * model on ORT agreeing with the simulated (engine, fake-quantized) model.
 *
 * Tolerances: the export computes what the simulation computes, but ORT and the engine sum in a
 * different order; a ~1e-5 difference moves about 1 % of the elements that sit on a rounding boundary of
 * the next quantizer by one level, and a random-weight network amplifies those flips layer by layer
 * (measured: the first quantized activation agrees to 1 level, the second to 2, MobileNetV2's logits to 15–18 % of their
 * range, ResNet-18's to 2 %). So the early layers are checked tightly and the logits loosely.
 *
 * No argmax check: with random weights and noise images every sample's logits are near-tied between the same
 * two classes (ResNet-18: classes 67 and 472 on all 8 seeded samples, top-2 gap 1–5 % of the logit range), so
 * the rounding-order noise above (2 % of the range) flips the argmax of some samples — also between ORT's
 * optimized graph and the same QDQ graph run as written, and between FP32 and the simulated model. The
 * direction of the logit vector is what the noise leaves intact (measured per sample, 8 samples): cosine
 * ORT-vs-simulated 0.9997–0.9998 (ResNet-18), 0.985–0.988 (MobileNetV2); INT8 on ORT vs FP32 on ORT
 * 0.998 (ResNet-18), 0.968–0.976 (MobileNetV2).
 */
import { describe, expect, it } from 'vitest';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { countLinearKernels, OrtSession } from '../../src/runtime/index.js';
import { quantizeZooModel } from '../../bench/zoo/ptq.js';
import { randomImages, ZOO_DIR, zooManifest } from '../../bench/zoo/zoo.js';

const manifest = zooManifest();
const missing = 'missing' in manifest ? manifest.missing : null;
if (missing) console.log(`zoo tests skipped: ${missing}`);

const images = randomImages(2, 99);

/** Max |a−b| relative to max |b|, and the smallest per-row cosine of a and b (rows of `classes`). */
function agreement(a: Float32Array, b: Float32Array, classes: number) {
  let diff = 0, scale = 0, minCos = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  for (let r = 0; r < a.length / classes; r++) {
    let ab = 0, aa = 0, bb = 0;
    for (let i = r * classes; i < (r + 1) * classes; i++) [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
    minCos = Math.min(minCos, ab / Math.sqrt(aa * bb));
  }
  return { relMax: diff / scale, minCos };
}

/** The first `n` Relu/Clip outputs (quantized activations, same names in both export styles and in the QDQ export). */
async function firstActivations(path: string, n: number): Promise<string[]> {
  const g = await loadOnnxModel(path);
  return g.nodes.filter((x) => x.opType === 'Relu' || x.opType === 'Clip').slice(0, n).map((x) => x.outputs[0]);
}

// ResNet-18: NNCF's placement gives 30 activation quantizers; the QDQ-for-ORT placement pass
// (placement/ort-conv-outputs.ts) adds one where ORT needs it for a QLinearConv, hence 31.
// cosine bounds: the measured minimum above, less a margin for other seeds/platforms
for (const { model, linear, weights, activations, logitsTolerance, cosSimulated, cosFp32 } of [
  { model: 'resnet18', linear: { QLinearConv: 20, 'com.microsoft:QGemm': 1 }, weights: 21, activations: 31, logitsTolerance: 0.05, cosSimulated: 0.999, cosFp32: 0.995 },
  { model: 'mobilenet_v2', linear: { QLinearConv: 52, 'com.microsoft:QGemm': 1 }, weights: 53, activations: 64, logitsTolerance: 0.3, cosSimulated: 0.97, cosFp32: 0.95 },
])
  describe.skipIf(missing !== null)(`zoo: ${model}`, () => {
    for (const style of ['folded', 'bn'])
      it(`${style}: ${weights} weight / ${activations} activation quantizers, every Conv/Gemm integer in ORT, INT8 on ORT ≈ simulated`, async () => {
        const path = `${ZOO_DIR}/${model}-${style}-dyn.onnx`;
        const tensors = await firstActivations(path, 2);
        const q = await quantizeZooModel(path, {}, 8, { simulate: images, tensors });
        expect([q.weightQuantizers, q.activationQuantizers]).toEqual([weights, activations]);
        const k = await countLinearKernels(q.int8);
        expect(k.integerOps).toEqual(linear);
        expect(k.float).toBe(0);
        expect(q.int8.length / q.fp32.length).toBeLessThan(0.28);
        // the QDQ graph as written (float Q/DQ arithmetic): the first quantized activation agrees to one level,
        // the next (its input already has one-level flips) to a few
        const exact = await OrtSession.create(q.int8, { intraOpThreads: 1, graphOptimizationLevel: 'disabled', extraOutputs: tensors });
        const early = await exact.run(images);
        await exact.release();
        tensors.forEach((t, i) => {
          const e = agreement(early[t].data as Float32Array, q.simulatedTensors![t], 1);
          expect(e.relMax, t).toBeLessThan((i === 0 ? 1.01 : 4.01) / 255);
        });
        const logits = async (bytes: Uint8Array) => {
          const s = await OrtSession.create(bytes, { intraOpThreads: 1 });
          const y = (await s.run(images))[s.outputNames[0]].data as Float32Array;
          await s.release();
          return y;
        };
        const ort = await logits(q.int8);
        const a = agreement(ort, q.simulated!, 1000);
        const f = agreement(ort, await logits(q.fp32), 1000);
        console.log(`${model}-${style}: INT8 (ORT) vs simulated: max |Δ| / max |y| = ${a.relMax.toFixed(4)}, min cosine ${a.minCos.toFixed(5)}; vs FP32 (ORT): min cosine ${f.minCos.toFixed(5)}`);
        expect(a.relMax).toBeLessThan(logitsTolerance);
        expect(a.minCos).toBeGreaterThan(cosSimulated);
        expect(f.minCos).toBeGreaterThan(cosFp32);
      }, 600_000);
  });
