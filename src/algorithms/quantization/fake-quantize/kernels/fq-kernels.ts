/**
 * The fused fake-quantize kernels, registered for the 'wasm' and 'cpu' backends:
 *   NncfFakeQuantize      {x, low, range} {levels, axis}                       → y (x's shape)
 *   NncfFakeQuantizeGrad  {dy, x, y, low, range} {levelLow, levelHigh, axis}   (y: the forward output)
 *                         → [dx (x's shape), dLow (low's shape), dRange (range's shape)]
 * `axis` is x's channel axis (low/range hold one value per channel), or -1 for one value.
 * Each reads the backend's own memory and writes its outputs in one pass (fq-loops.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fakeQuantizeLoop, layoutOf } from './fq-forward.js';
import { steGradLoop } from './fq-ste-grad.js';

export const FAKE_QUANTIZE = 'NncfFakeQuantize';
export const FAKE_QUANTIZE_GRAD = 'NncfFakeQuantizeGrad';

interface Info {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

/** What the kernels need from a backend: its float32 memory and fresh outputs. */
interface Memory {
  alloc(shape: number[]): Info;
  view(info: Info): Float32Array;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array;
}

interface CpuBackend {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): Info;
}

const wasmMemory = (be: WasmBackend): Memory => ({
  alloc: (shape) => be.makeOutput(shape, 'float32'),
  view: (info) => be.typedArrayFromHeap(info),
});

const cpuMemory = (be: CpuBackend): Memory => ({
  alloc: (shape) => be.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1))),
  view: (info) => be.data.get(info.dataId).values,
});

type Args = { inputs: Record<string, Info>; backend: unknown; attrs: Record<string, number> };

function checkFloat(inputs: Record<string, Info>): void {
  for (const [name, t] of Object.entries(inputs)) {
    if (t.dtype !== 'float32') throw new Error(`${FAKE_QUANTIZE}: ${name} must be float32, got ${t.dtype}`);
  }
}

function forward(mem: Memory, { inputs, attrs }: Args): Info {
  checkFloat(inputs);
  const { x, low, range } = inputs;
  const y = mem.alloc(x.shape);
  // Views after every allocation: a wasm allocation may grow (and detach) the heap.
  fakeQuantizeLoop(
    mem.view(x),
    mem.view(low),
    mem.view(range),
    attrs.levels,
    layoutOf(x.shape, attrs.axis),
    mem.view(y),
  );
  return y;
}

function backward(mem: Memory, { inputs, attrs }: Args): Info[] {
  checkFloat(inputs);
  const { dy, x, y, low, range } = inputs;
  const dx = mem.alloc(x.shape);
  const dLow = mem.alloc(low.shape);
  const dRange = mem.alloc(range.shape);
  const l = layoutOf(x.shape, attrs.axis);
  steGradLoop(
    mem.view(dy),
    mem.view(x),
    mem.view(y),
    mem.view(low),
    mem.view(range),
    attrs.levelLow,
    attrs.levelHigh,
    l,
    mem.view(dx),
    mem.view(dLow),
    mem.view(dRange),
  );
  return [dx, dLow, dRange];
}

const backends = {
  wasm: (be: unknown) => wasmMemory(be as WasmBackend),
  cpu: (be: unknown) => cpuMemory(be as CpuBackend),
};

/** Registers both kernels for wasm and cpu (idempotent). */
export function registerFakeQuantizeKernels(): void {
  for (const [backendName, memoryOf] of Object.entries(backends)) {
    const kernels: Array<[string, (m: Memory, a: Args) => Info | Info[]]> = [
      [FAKE_QUANTIZE, forward],
      [FAKE_QUANTIZE_GRAD, backward],
    ];
    for (const [kernelName, run] of kernels) {
      if (tf.getKernel(kernelName, backendName) != null) continue;
      const kernelFunc = (a: Args) => run(memoryOf(a.backend), a);
      tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    }
  }
}

/** Whether the active backend has the fused kernels (registering them on first use). */
export function fusedKernelsAvailable(): boolean {
  registerFakeQuantizeKernels();
  return tf.getKernel(FAKE_QUANTIZE, tf.getBackend()) != null;
}
