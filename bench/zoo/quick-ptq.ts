/**
 * One zoo model through PTQ (QDQ export): statistics, ORT's integer/float linear kernels of FP32 and INT8.
 *   npx tsx bench/zoo/quick-ptq.ts resnet18-bn-dyn [--extra '{"activations":{"per_channel":true}}']
 */
import { countLinearKernels } from '../../src/runtime/index.js';
import { quantizeZooModel } from './ptq.js';
import { ZOO_DIR } from './zoo.js';

const [name, ...rest] = process.argv.slice(2);
const i = rest.indexOf('--extra');
const q = await quantizeZooModel(`${ZOO_DIR}/${name}.onnx`, i >= 0 ? JSON.parse(rest[i + 1]) : {});
console.log(`PTQ ${q.seconds.toFixed(1)} s\n${q.statistics.split('\n').slice(0, 14).join('\n')}`);
console.log('FP32 kernels', JSON.stringify(await countLinearKernels(q.fp32)));
console.log('INT8 kernels', JSON.stringify(await countLinearKernels(q.int8)));
console.log(`size INT8/FP32 ${(q.int8.length / q.fp32.length).toFixed(3)}`);
