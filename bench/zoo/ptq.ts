/** PTQ of one zoo model through the public API (QDQ export), with seeded random calibration images. */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import { BNAdaptationInitArgs, NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import { Dataset, type NdArray } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { latencyCheck, type LatencyCheckOptions } from '../../src/latency-check.js';
import type { LatencyFallbackSummary } from '../../src/algorithms/quantization/index.js';
import { randomImages } from './zoo.js';

export interface ZooPtq {
  fp32: Uint8Array;
  int8: Uint8Array;
  statistics: string;
  values: Record<string, number | string | boolean>;
  seconds: number;
  /** Quantizer counts placed. */
  weightQuantizers: number;
  activationQuantizers: number;
  /** The simulated (fake-quantized, engine) model's first output on `opts.simulate`, when given. */
  simulated?: Float32Array;
  /** The simulated model's values of `opts.tensors` on `opts.simulate`. */
  simulatedTensors?: Record<string, Float32Array>;
  /** What the latency check kept float (with opts.latencyCheck). */
  latency?: LatencyFallbackSummary | null;
  /** Seconds of PTQ without the latency check, and of the check. */
  ptqSeconds: number;
  checkSeconds: number;
  /** Process CPU seconds of the check (steadier than wall time on a shared machine). */
  checkCpuSeconds: number;
}

/**
 * `compression` keys beyond `algorithm: quantization` come from `extra` (e.g. activations.per_channel);
 * range init on `samples` images, BN adaptation off (random images would only move the statistics).
 */
export async function quantizeZooModel(path: string, extra: Record<string, unknown> = {}, samples = 8, opts: { simulate?: NdArray; tensors?: string[]; latencyCheck?: boolean | Omit<LatencyCheckOptions, 'feeds'> } = {}): Promise<ZooPtq> {
  await initBackend('wasm');
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 3, 224, 224] },
    compression: {
      algorithm: 'quantization',
      export_to_onnx_standard_ops: true,
      initializer: { range: { num_init_samples: samples }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
      ...extra,
    },
  });
  const t0 = Date.now();
  const graph = await loadOnnxModel(path);
  // a fixed-batch export ([1,3,224,224]) is fed one image at a time, as the CLI does
  const fixed = graph.inputs[0].shape?.[0];
  const loader = { dataset: new Dataset(randomImages(samples, 1)), batchSize: typeof fixed === 'number' ? fixed : 8 };
  config.registerExtraStructs([new QuantizationRangeInitArgs(loader), new BNAdaptationInitArgs(loader)]);
  const r = await createCompressedModel(graph, config);
  const ptqSeconds = (Date.now() - t0) / 1000;
  const cpu0 = process.cpuUsage();
  const latency = opts.latencyCheck ? await latencyCheck(r, { ...(opts.latencyCheck === true ? {} : opts.latencyCheck), feeds: randomImages(1, 3) }) : undefined;
  const checkSeconds = (Date.now() - t0) / 1000 - ptqSeconds;
  const cpu = process.cpuUsage(cpu0);
  const checkCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const int8 = exportCompressedModelBytes(r);
  const seconds = (Date.now() - t0) / 1000;
  const stats = r.controller.statistics();
  let simulated: Float32Array | undefined;
  let simulatedTensors: Record<string, Float32Array> | undefined;
  if (opts.simulate) {
    const x = tf.tensor(opts.simulate.data as Float32Array, opts.simulate.shape);
    const first = r.model.graph.outputs[0].name;
    const out = r.model.run({ [r.model.graph.inputs[0].name]: x }, { outputs: [first, ...(opts.tensors ?? [])] });
    simulated = Float32Array.from(out[first].dataSync() as Float32Array);
    simulatedTensors = Object.fromEntries((opts.tensors ?? []).map((t) => [t, Float32Array.from(out[t].dataSync() as Float32Array)]));
    tf.dispose([x, ...Object.values(out)]);
  }
  r.controller.dispose();
  r.model.engine.dispose();
  return {
    fp32: new Uint8Array(readFileSync(path)), int8, statistics: stats.toString(), values: { ...stats.values }, seconds, simulated, simulatedTensors, latency, ptqSeconds, checkSeconds, checkCpuSeconds,
    weightQuantizers: Number(stats.values['Weight quantizers']), activationQuantizers: Number(stats.values['Activation quantizers']),
  };
}
