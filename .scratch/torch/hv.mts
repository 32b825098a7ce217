import * as tf from '@tensorflow/tfjs-core';
import { CompressedModel } from '../../src/compression/index.js';
import { readNpy } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/parse.js';
import { FrozenKinks, hessianVectorProduct, rademacher, defaultHessianCriterion } from '../../src/initialization/index.js';
import { Random } from '../../src/data/index.js';
await initBackend('wasm');
const dir = new URL('.', import.meta.url).pathname;
const g = await loadOnnxModel(dir + 'model.onnx');
const x = await readNpy(dir + 'x.npy');
const yl = await readNpy(dir + 'labels.npy');
const model = new CompressedModel(g, new Engine(g));
const feed = tf.tensor(Float32Array.from(x.data as Float32Array).subarray(0, 8 * 3 * 256), [8, 3, 16, 16]);
const lab = tf.tensor(Int32Array.from(Array.from(yl.data as ArrayLike<bigint>, Number).slice(0, 8)), [8], 'int32');
const names = ['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc.weight'];
const ws = model.engine.weights();
const params = names.map(n => ws.find(w => w.name === n)!.variable);
const rng = new Random(5);
const v = params.map(p => tf.tensor(rademacher(rng, p.size), p.shape));
const freeze = process.argv[2] === 'freeze';
const k = freeze ? new FrozenKinks(model) : null;
k?.record(() => tf.dispose(Object.values(model.engine.run({ x: feed }, { training: true }))));
const grads = () => { const { value, grads } = tf.variableGrads(() => defaultHessianCriterion(model.engine.run({ x: feed }, { training: true }).logits, lab) as tf.Scalar, params); value.dispose(); return params.map(p => grads[p.name]); };
for (const eps of [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3]) {
  const hv = await hessianVectorProduct(params, grads, v, eps);
  console.log(freeze ? 'frozen' : 'plain', eps, hv.map((h, i) => (tf.sum(tf.mul(h, v[i])).dataSync()[0] / h.size).toFixed(5)).join(' '));
  tf.dispose(hv);
}
