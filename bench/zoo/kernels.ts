/**
 * Every zoo model (both export styles, dynamic and fixed batch): PTQ with the QDQ export, then ORT's linear
 * kernels of FP32 and INT8 (integer / float), file size ratio and PTQ wall time.
 *   npm run bench:zoo-kernels [-- MODEL ...]
 */
import { countLinearKernels } from '../../src/runtime/index.js';
import { quantizeZooModel } from './ptq.js';
import { ZOO_DIR, zooManifest } from './zoo.js';

const manifest = zooManifest();
if ('missing' in manifest) {
  console.error(`bench:zoo-kernels: ${manifest.missing}`);
  process.exit(1);
}
const only = process.argv.slice(2);
console.log('| model | style | batch | FP32 float linear | INT8 integer / float | float ops left | size INT8/FP32 | PTQ s |');
console.log('|---|---|---|---|---|---|---|---|');
for (const e of manifest.entries.filter((x) => only.length === 0 || only.includes(x.model))) {
  const q = await quantizeZooModel(`${ZOO_DIR}/${e.file}`);
  const [f, k] = [await countLinearKernels(q.fp32), await countLinearKernels(q.int8)];
  console.log(`| ${e.model} | ${e.style} | ${e.batch} | ${f.float} | ${k.integer} / ${k.float} | ${JSON.stringify(k.floatOps)} | ${(q.int8.length / q.fp32.length).toFixed(3)} | ${q.seconds.toFixed(1)} |`);
}
