import * as tf from '@tensorflow/tfjs-core';
import type { AttributeValue, DType, GraphNode } from '../graph/index.js';
import { EngineError } from './errors.js';

/** What an op sees besides its inputs: its node, attributes, opset, mode and state updates. */
export class OpContext {
  constructor(
    readonly node: GraphNode,
    readonly opset: number,
    readonly training: boolean,
    /** Writes a new value into the state variable feeding input `port` (BatchNorm running stats). */
    readonly assignState: (port: number, value: tf.Tensor) => void,
    readonly seed: () => number,
    /** ONNX dtype of a tensor as the graph declares it (tfjs folds them into float32/int32/bool). */
    private readonly dtypeOf: (name: string) => DType | undefined = () => undefined,
  ) {}

  inputDtype(port: number): DType | undefined {
    const name = this.node.inputs[port];
    return name ? this.dtypeOf(name) : undefined;
  }

  private get(name: string): AttributeValue | undefined {
    return this.node.attributes[name];
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  int(name: string, dflt: number): number;
  int(name: string): number | undefined;
  int(name: string, dflt?: number): number | undefined {
    const a = this.get(name);
    if (!a) return dflt;
    if (a.type !== 'int') throw this.error(`attribute "${name}" should be an int`);
    return clampInt(a.value);
  }

  float(name: string, dflt: number): number {
    const a = this.get(name);
    if (!a) return dflt;
    if (a.type === 'float' || a.type === 'int') return Number(a.value);
    throw this.error(`attribute "${name}" should be a float`);
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name);
    if (!a) return undefined;
    if (a.type === 'ints') return a.value.map(clampInt);
    if (a.type === 'int') return [clampInt(a.value)];
    throw this.error(`attribute "${name}" should be ints`);
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name);
    if (!a) return undefined;
    if (a.type === 'floats') return a.value;
    throw this.error(`attribute "${name}" should be floats`);
  }

  string(name: string, dflt: string): string {
    const a = this.get(name);
    if (!a) return dflt;
    if (a.type !== 'string') throw this.error(`attribute "${name}" should be a string`);
    return a.value;
  }

  attribute(name: string): AttributeValue | undefined {
    return this.get(name);
  }

  error(msg: string): EngineError {
    return new EngineError(`${this.node.opType} node "${this.node.name}": ${msg}`);
  }
}

/** ONNX int64 attribute → JS number, clamping ±INT64_MAX sentinels into the int32 range tfjs works in. */
export function clampInt(v: number | bigint): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (n > 2147483647) return 2147483647;
  if (n < -2147483648) return -2147483648;
  return n;
}

/** Reads a small integer tensor (shapes, axes, pads) on the host. */
export function readInts(t: tf.Tensor | undefined): number[] {
  if (!t) return [];
  return Array.from(t.dataSync() as ArrayLike<number>, (x) => Math.trunc(Number(x)));
}

export function readFloats(t: tf.Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>, Number);
}

/** Normalises a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number, ctx?: OpContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) {
    const msg = `axis ${axis} out of range for rank ${rank}`;
    throw ctx ? ctx.error(msg) : new EngineError(msg);
  }
  return a;
}

export function keep<T extends tf.Tensor>(t: T): T {
  return tf.keep(t);
}
