import * as tf from '@tensorflow/tfjs-core';
import type { ConstTensor, Graph } from '../graph/index.js';
import { constToTensor, tfDtype } from './dtype.js';
import { EngineError, nearest } from './errors.js';
import type { OpDef } from './registry.js';
import { invertPerm, isIdentityPerm } from './value.js';

export interface Weight {
  name: string;
  variable: tf.Variable;
  /** stored = transpose(onnx, perm); chosen by the consuming op so it never transposes at run time. */
  perm: number[] | null;
  onnxDims: number[];
  /** false for running statistics (BatchNorm mean/var), which change only in train mode. */
  trainable: boolean;
}

/**
 * Decides which constants are weights (float constants on the weight ports of parameterised ops)
 * and keeps them as tf.Variables in the layout their consumer wants; other constants stay plain tensors.
 */
export class WeightStore {
  readonly weights = new Map<string, Weight>();
  readonly constants = new Map<string, tf.Tensor>();

  constructor(graph: Graph, constants: Map<string, ConstTensor>, defs: OpDef[], trainableOverride?: (name: string) => boolean | undefined) {
    const uses = new Map<string, { state: boolean; perm: number[] | null }[]>();
    graph.nodes.forEach((node, i) => {
      const def = defs[i];
      const add = (port: number, state: boolean) => {
        const name = node.inputs[port];
        const c = name ? constants.get(name) : undefined;
        if (!c || tfDtype(c.dtype) !== 'float32') return;
        const perm = state ? null : (def.weightPerm?.(node, port, c.dims) ?? null);
        uses.set(name, [...(uses.get(name) ?? []), { state, perm }]);
      };
      for (const p of def.weightPorts?.(node, graph) ?? []) add(p, false);
      for (const p of def.statePorts ?? []) add(p, true);
    });
    for (const [name, c] of constants) {
      const forced = trainableOverride?.(name);
      if (forced === true && !uses.has(name) && tfDtype(c.dtype) === 'float32') uses.set(name, [{ state: false, perm: null }]);
      if (forced === false) uses.delete(name);
      const u = uses.get(name);
      if (!u) {
        this.constants.set(name, tf.keep(constToTensor(c)));
        continue;
      }
      const trainable = !u.some((x) => x.state);
      const first = u[0].perm;
      const agree = u.every((x) => JSON.stringify(x.perm) === JSON.stringify(first));
      const perm = agree && !isIdentityPerm(first) ? first : null;
      const variable = tf.tidy(() => {
        const t = constToTensor(c);
        return tf.variable(perm ? tf.transpose(t, perm) : t, trainable);
      });
      this.weights.set(name, { name, variable, perm, onnxDims: [...c.dims], trainable });
    }
  }

  weight(name: string): Weight {
    const w = this.weights.get(name);
    if (w) return w;
    const hint = nearest(name, this.weights.keys());
    throw new EngineError(`"${name}" is not a weight of this model${hint ? `; did you mean "${hint}"?` : ''}`);
  }

  /** The weight's current value in ONNX layout (a new tensor the caller owns). */
  read(name: string): tf.Tensor {
    const w = this.weight(name);
    return tf.tidy(() => (w.perm ? tf.transpose(w.variable, invertPerm(w.perm)) : w.variable.clone()));
  }

  /** Sets a weight from an ONNX-layout tensor of the same shape. */
  write(name: string, value: tf.Tensor): void {
    const w = this.weight(name);
    if (value.shape.join() !== w.onnxDims.join())
      throw new EngineError(`weight "${name}" has shape [${w.onnxDims}], got [${value.shape}]`);
    tf.tidy(() => w.variable.assign(w.perm ? tf.transpose(tf.cast(value, "float32"), w.perm) : tf.cast(value, "float32")));
  }

  dispose(): void {
    for (const w of this.weights.values()) w.variable.dispose();
    for (const t of this.constants.values()) t.dispose();
    this.weights.clear();
    this.constants.clear();
  }
}
