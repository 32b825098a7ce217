/**
 * What the latency check costs with and without its early stop (`earlyStop`), per zoo model: wall and
 * process-CPU seconds of the check and the blocks it keeps float, the two variants run one after the
 * other on fresh PTQ results (same seeds).
 *
 *   npx tsx bench/zoo/latency-check-cost.ts [MODEL-STYLE-BATCH ...]   (default: mobilenet_v3_small-bn-dyn efficientnet_b0-folded-dyn)
 */
import { loadavg } from 'node:os';
import { quantizeZooModel } from './ptq.js';
import { ZOO_DIR, zooManifest } from './zoo.js';

const manifest = zooManifest();
if ('missing' in manifest) {
  console.error(`latency-check-cost: ${manifest.missing}`);
  process.exit(1);
}
const names = process.argv.slice(2).length ? process.argv.slice(2) : ['mobilenet_v3_small-bn-dyn', 'efficientnet_b0-folded-dyn'];
console.log(`load average at the start ${loadavg().map((l) => l.toFixed(2)).join(' / ')}; settings batch 1, 8 × 1, 2 threads`);
console.log('| model | early stop | check wall s | check CPU s | blocks kept float | all float |');
console.log('|---|---|---:|---:|---|---|');
for (const name of names)
  for (const earlyStop of [false, true]) {
    const q = await quantizeZooModel(`${ZOO_DIR}/${name}.onnx`, {}, 8, { latencyCheck: { earlyStop } });
    const l = q.latency!;
    console.log(`| ${name} | ${earlyStop ? 'on' : 'off'} | ${q.checkSeconds.toFixed(1)} | ${q.checkCpuSeconds.toFixed(1)} | ${l.floatBlocks.length} / ${l.blocks.length} | ${l.allFloat} |`);
  }
