import * as tf from '@tensorflow/tfjs-core';
import { createCompressedModel, exportCompressedModelBytes } from './src/api.js';
import { NNCFConfig } from './src/config/index.js';
import { Dataset } from './src/data/index.js';
import { initBackend } from './src/engine/index.js';
import { loadOnnxModel } from './src/frontends/onnx/index.js';
import { OrtSession } from './src/runtime/index.js';
import { randomImages, ZOO_DIR } from './bench/zoo/zoo.js';
await initBackend('wasm');
const images = randomImages(1, 99);
const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 3, 224, 224] }, compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: { range: { num_init_samples: 8 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } } });
const g = await loadOnnxModel(`${ZOO_DIR}/mobilenet_v2-folded-dyn.onnx`);
const r = await createCompressedModel(g, config, { initDataset: new Dataset(randomImages(8, 1)) });
const int8 = exportCompressedModelBytes(r);
const convs = r.model.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.outputs[0]);
const pick = [0, 1, 2, 3, 5, 8, 12, 20, 30, 40, 51].map((i) => convs[i]);
const x = tf.tensor(images.data as Float32Array, images.shape);
const sim = r.model.run({ input: x }, { outputs: pick });
const s = await OrtSession.create(int8, { graphOptimizationLevel: 'disabled', extraOutputs: pick });
const o = await s.run(images);
for (const t of pick) {
  const a = sim[t].dataSync() as Float32Array, b = o[t].data as Float32Array;
  let d = 0, m = 0, n = 0; for (let i = 0; i < a.length; i++) { const e = Math.abs(a[i] - b[i]); d = Math.max(d, e); m = Math.max(m, Math.abs(b[i])); if (e > 1e-3 * m) n++; }
  console.log(t, 'rel', (d / m).toFixed(5), 'n>', n, '/', a.length);
}
