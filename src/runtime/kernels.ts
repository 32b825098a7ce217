/**
 * Which Conv/Gemm/MatMul kernels onnxruntime actually runs: integer (QLinearConv, QGemm, MatMulInteger…)
 * or float (Conv, FusedConv, Gemm, MatMul…), counted on ORT's optimized graph. A QDQ model is only
 * faster than FP32 when its linear ops became integer kernels; Q/DQ pairs around a float op cost time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countOpTypes, saveOptimizedModel } from './optimized.js';
import type { OrtSessionOptions } from './session.js';

/** Integer linear kernels of ORT's CPU provider (keys as countOpTypes writes them). */
export const INTEGER_LINEAR_OPS: readonly string[] = [
  'QLinearConv', 'ConvInteger', 'QLinearMatMul', 'MatMulInteger',
  'com.microsoft:QGemm', 'com.microsoft:QLinearConv', 'com.microsoft:QLinearConvTranspose',
  'com.microsoft:MatMulIntegerToFloat', 'com.microsoft:DynamicQuantizeMatMul', 'com.microsoft:MatMulNBits',
];

/** Float linear kernels (NCHWc convolutions appear at optimization level 'all'). */
export const FLOAT_LINEAR_OPS: readonly string[] = [
  'Conv', 'ConvTranspose', 'Gemm', 'MatMul',
  'com.microsoft:FusedConv', 'com.microsoft:FusedGemm', 'com.microsoft:FusedMatMul', 'com.microsoft.nchwc:Conv',
];

export interface LinearKernelCount {
  integer: number;
  float: number;
  /** Op type → count, linear ops only. */
  integerOps: Record<string, number>;
  floatOps: Record<string, number>;
}

/** Splits an op-type histogram into integer and float linear kernels. */
export function classifyLinearKernels(ops: ReadonlyMap<string, number>): LinearKernelCount {
  const pick = (names: readonly string[]) => Object.fromEntries(names.filter((n) => ops.has(n)).map((n) => [n, ops.get(n)!]));
  const integerOps = pick(INTEGER_LINEAR_OPS);
  const floatOps = pick(FLOAT_LINEAR_OPS);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return { integer: sum(integerOps), float: sum(floatOps), integerOps, floatOps };
}

/**
 * Integer vs float linear kernels in the graph ORT builds for `model` (bytes or path), at optimization
 * level 'extended' (all QDQ and Conv fusions, no CPU-specific layout) unless `options` says otherwise.
 */
export async function countLinearKernels(
  model: Uint8Array | string,
  options: Omit<OrtSessionOptions, 'optimizedModelPath'> = {},
): Promise<LinearKernelCount> {
  const dir = await mkdtemp(join(tmpdir(), 'nncf-ts-kernels-'));
  try {
    const path = join(dir, 'optimized.onnx');
    await saveOptimizedModel(model, path, { intraOpThreads: 1, ...options });
    return classifyLinearKernels(await countOpTypes(path));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type KernelComparison = { original: LinearKernelCount; compressed: LinearKernelCount } | { error: string };

/**
 * Linear kernels of the original and the compressed model side by side; `error` when ORT cannot load
 * one of them (e.g. an OpenVINO FakeQuantize export).
 */
export async function compareLinearKernels(original: Uint8Array | string, compressed: Uint8Array | string): Promise<KernelComparison> {
  try {
    return { original: await countLinearKernels(original), compressed: await countLinearKernels(compressed) };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] };
  }
}

/** One line for the CLI: "ORT linear kernels … INT8 21 integer / 0 float (FP32 model: 21 float)". */
export function describeKernelComparison(k: KernelComparison): string {
  if ('error' in k) return `ORT linear kernels: not counted (onnxruntime cannot load the model: ${k.error})`;
  return `ORT linear kernels (Conv/Gemm/MatMul in the optimized graph): compressed ${k.compressed.integer} integer / ${k.compressed.float} float; original ${k.original.integer} integer / ${k.original.float} float`;
}
