import type * as tf from '@tensorflow/tfjs-core';
import { EngineError } from './errors.js';
import { canonical, onnxShape, plain, storedAxis, type Value } from './value.js';

/** What a hook learns about the tensor it transforms. */
export interface HookInfo {
  /** Tensor (edge) or weight name. */
  name: string;
  kind: 'tensor' | 'weight';
  /** The ONNX-layout shape of the tensor. */
  onnxShape: number[];
  /**
   * Layout of the tensor handed to a 'native' hook: stored = transpose(onnx, perm); null = ONNX layout.
   * Conv activations are channels-last ([0,2,3,1]); Conv weights are [kh,kw,in,out] ([2,3,1,0]).
   */
  perm: number[] | null;
  /** Maps an ONNX axis (e.g. 1 = activation channels, 0 = Conv output channels) to the axis of the handed tensor. */
  axis(onnxAxis: number): number;
  training: boolean;
}

/** Transforms a tensor inside the forward pass (gradients flow through it). Must keep the shape. */
export type HookFn = (x: tf.Tensor, info: HookInfo) => tf.Tensor;

export interface HookSpec {
  /** Hook on an edge: runs right after the tensor is produced (or fed / read, for inputs and constants). */
  tensor?: string;
  /** Hook on a weight: runs each time a consuming op reads the weight. */
  weight?: string;
  fn: HookFn;
  /**
   * Node name: the hook applies only to what this node reads from `tensor`/`weight` (an input pre-hook,
   * as NNCF places per-consumer quantizers); other consumers see the unhooked value.
   */
  consumer?: string;
  /**
   * 'native' (default): the hook gets the tensor in the engine's layout and uses `info.axis()` for
   * per-channel work — no transposes. 'onnx': the engine converts to ONNX layout first (costs transposes).
   */
  layout?: 'native' | 'onnx';
}

export interface HookHandle {
  remove(): void;
}

interface Entry {
  spec: HookSpec;
  id: number;
}

/** Hooks per tensor/weight name, kept in insertion order (quantizer after mask, etc.). */
export class HookTable {
  private byKey = new Map<string, Entry[]>();
  private nextId = 0;

  add(key: string, spec: HookSpec): HookHandle {
    const entry = { spec, id: this.nextId++ };
    const list = this.byKey.get(key) ?? [];
    list.push(entry);
    this.byKey.set(key, list);
    return {
      remove: () => {
        const cur = this.byKey.get(key);
        if (!cur) return;
        const rest = cur.filter((e) => e.id !== entry.id);
        if (rest.length) this.byKey.set(key, rest);
        else this.byKey.delete(key);
      },
    };
  }

  get(key: string): readonly HookSpec[] {
    return (this.byKey.get(key) ?? []).map((e) => e.spec);
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** Runs one hook on a value: in the engine's layout ('native') or in ONNX layout ('onnx'). */
export function applyHook(h: HookSpec, v: Value, name: string, kind: 'tensor' | 'weight', training: boolean): Value {
  const shape = onnxShape(v);
  if (h.layout === 'onnx') {
    const info: HookInfo = { name, kind, onnxShape: shape, perm: null, axis: (a) => a, training };
    return plain(h.fn(canonical(v), info));
  }
  const info: HookInfo = { name, kind, onnxShape: shape, perm: v.perm, axis: (a) => storedAxis(v, a < 0 ? a + shape.length : a), training };
  const t = h.fn(v.t, info);
  if (t.shape.join() !== v.t.shape.join())
    throw new EngineError(`hook on ${kind} "${name}" changed the shape from [${v.t.shape}] to [${t.shape}]`);
  return { t, perm: v.perm };
}
