/**
 * `npm run bench:ort-host-sync -- [--images N] [--rounds N] [--threads N]`: the ORT Trainer's step cost
 * with the parameters kept host-side (host mode, synced only around the controller hooks that use the
 * variables) vs synced with the tf.Variables at every step (`ortSync: 'per-step'`, what magnitude
 * sparsity, pruning and binarization used before), per algorithm, on the Fashion-MNIST reference CNN
 * (batch 64, SGD momentum 0.9). Each round trains one epoch of `--images` images (default 1280: 20
 * steps) per (algorithm, mode), the modes interleaved, and reads the process CPU time
 * (process.cpuUsage, user + system) and wall time per optimizer step from the end of the first step to
 * the end of fit() (the epoch-end sync included; session creation and the first run left out). Prints medians over the
 * rounds, the per-step/host ratio, and the load average.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createCompressedModel, loadData, NNCFConfig } from '../src/index.js';
import { initBackend } from '../src/engine/index.js';
import { loadOnnxModel } from '../src/frontends/onnx/index.js';
import { parsePreprocessSpec } from '../src/data/index.js';
import { taskLoss, Trainer, trainingSettings } from '../src/training/index.js';

const { values: a } = parseArgs({ options: { images: { type: 'string', default: '1280' }, rounds: { type: 'string', default: '3' }, threads: { type: 'string', default: '1' } } });
const DIR = 'examples/fashion-mnist';
await initBackend('wasm');
const pre = parsePreprocessSpec('channel=first,scale=1/255,mean=0.286,std=0.353');
const train = (await loadData('.cache/data/fashion-mnist', { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] })).take(Number(a.images));
const init = train.take(256);

const ALGORITHMS: Record<string, object | undefined> = {
  fp32: undefined,
  magnitude_sparsity: { algorithm: 'magnitude_sparsity', sparsity_init: 0.5 },
  'magnitude_sparsity (per-step schedule)': {
    algorithm: 'magnitude_sparsity',
    sparsity_init: 0.3,
    params: { schedule: 'polynomial', sparsity_target: 0.7, sparsity_target_epoch: 3, update_per_optimizer_step: true, steps_per_epoch: Math.ceil(Number(a.images) / 64) },
  },
  filter_pruning: { algorithm: 'filter_pruning', pruning_init: 0.3, params: { schedule: 'exponential', pruning_target: 0.5, pruning_steps: 3 } },
  binarization: { algorithm: 'binarization', mode: 'xnor', params: { activations_quant_start_epoch: 0, weights_quant_start_epoch: 0 } },
  // the bundled INT8 config with a small init (host mode before too: the Trainer-level QAT / FP32 ratio)
  quantization: { ...(NNCFConfig.fromFile(`${DIR}/int8.json`).get('compression') as object), initializer: { range: { num_init_samples: 256 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
};

async function epoch(compression: object | undefined, ortSync: 'host' | 'per-step'): Promise<{ cpuMs: number; wallMs: number; mode?: string }> {
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 1, 28, 28] },
    batch_size: 64,
    epochs: 1,
    seed: 1,
    optimizer: { type: 'sgd', base_lr: 0.01, optimizer_params: { momentum: 0.9 } },
    ...(compression ? { compression } : {}),
  });
  const created = await createCompressedModel(await loadOnnxModel(`${DIR}/model.onnx`), config, { initDataset: init });
  let mode: string | undefined;
  const trainer: Trainer = new Trainer({
    model: created.model, controller: created.controller, train, settings: trainingSettings(config), loss: taskLoss('cross_entropy', created.model.graph.outputs[0].name),
    engine: 'ort', threads: Number(a.threads), ortSync, log: () => {}, onEpochStart: () => (mode = trainer.ortParameters?.mode),
    // timed from the end of the first step: session creation and its first run are one-time costs
    onBatchEnd: (e) => {
      if (e.batch !== 0) return;
      c0 = process.cpuUsage();
      t0 = performance.now();
    },
  });
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  await trainer.fit(); // the epoch-end sync (host mode's variables write) is inside the timed span
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const steps = trainer.position.globalStep - 1;
  trainer.dispose();
  created.controller.dispose();
  created.model.engine.dispose();
  return { cpuMs: (c.user + c.system) / 1000 / steps, wallMs: wallMs / steps, mode };
}

const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const load0 = loadavg()[0];
const rows: string[] = [];
const hostCpu: Record<string, number> = {};
const hostWall: Record<string, number> = {};
for (const [name, compression] of Object.entries(ALGORITHMS)) {
  const r = { host: { cpu: [] as number[], wall: [] as number[] }, 'per-step': { cpu: [] as number[], wall: [] as number[] } };
  const modes = new Set<string>();
  for (let round = 0; round < Number(a.rounds); round++)
    for (const sync of round % 2 ? (['per-step', 'host'] as const) : (['host', 'per-step'] as const)) {
      const e = await epoch(compression, sync);
      modes.add(`${sync}→${e.mode}`);
      r[sync].cpu.push(e.cpuMs);
      r[sync].wall.push(e.wallMs);
    }
  const [hc, pc, hw, pw] = [median(r.host.cpu), median(r['per-step'].cpu), median(r.host.wall), median(r['per-step'].wall)];
  hostCpu[name] = hc;
  hostWall[name] = hw;
  const row = `| ${name} | ${hc.toFixed(1)} | ${pc.toFixed(1)} | ${(pc / hc).toFixed(2)}× | ${hw.toFixed(1)} | ${pw.toFixed(1)} | ${(pw / hw).toFixed(2)}× |`;
  rows.push(row);
  console.error(`${row}  (${[...modes].join(', ')})`);
}
console.log(`Fashion CNN, Trainer on ORT (${a.threads} thread), batch 64, ${a.images} images per epoch, median of ${a.rounds} interleaved rounds; load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
console.log(`Trainer-level QAT / FP32, host mode: CPU ${(hostCpu.quantization / hostCpu.fp32).toFixed(2)}×, wall ${(hostWall.quantization / hostWall.fp32).toFixed(2)}×`);
console.log('| algorithm | host CPU ms/step | per-step sync CPU ms/step | CPU ratio | host wall ms/step | per-step wall ms/step | wall ratio |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
