/** One zoo model: PTQ + latency check, then FP32 vs exported latency.  npx tsx bench/zoo/latency-try.ts mobilenet_v3_small-bn-b1 */
import { countLinearKernels } from '../../src/runtime/index.js';
import { quantizeZooModel } from './ptq.js';
import { interleavedLatency, ZOO_DIR } from './zoo.js';

for (const name of process.argv.slice(2)) {
  const q = await quantizeZooModel(`${ZOO_DIR}/${name}.onnx`, {}, 8, { latencyCheck: true });
  const k = await countLinearKernels(q.int8);
  const l = await interleavedLatency(q.fp32, q.int8, { runs: 30 });
  console.log(name, `PTQ ${q.ptqSeconds.toFixed(1)} s, check ${q.checkSeconds.toFixed(1)} s`, JSON.stringify({ ...q.latency, blocks: q.latency?.blocks.map((b) => `${b.name} (${b.quantizers})`) }, null, 1));
  console.log(`${name}: kernels ${k.integer}/${k.float}, size ${(q.int8.length / q.fp32.length).toFixed(3)}, speed-up min ${l.speedupMin.toFixed(2)} median ${l.speedupMedian.toFixed(2)}`);
}
