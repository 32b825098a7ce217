import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/index.js';
await initBackend('wasm');
const x = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
const wins = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(tf.pad(t as tf.Tensor4D, [[0,0],[0,0],[0,0],[0,0]], -3.4e38), [2, 2], [2, 2], 'valid')))(x);
console.log(JSON.stringify(tf.transpose(x,[0,3,1,2]).arraySync()));
console.log(JSON.stringify(tf.transpose(wins,[0,3,1,2]).arraySync()));
