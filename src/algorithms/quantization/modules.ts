/**
 * One Quantizer per placed quantizer (a unified-scale group or a shared weight is one quantizer at
 * several points) and the insertion commands that run it: weights as weight hooks in the engine's
 * native layout, activations as hooks on edges.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel, InsertionCommand } from '../../compression/index.js';
import type { HookFn } from '../../engine/index.js';
import { fakeQuantizeNodeForm, Quantizer, type QuantizerSpec as FqSpec } from './fake-quantize/index.js';
import type { QuantizerSpec as PlacedQuantizer } from './placement/index.js';
import { fastFakeQuantize, fastParams, type FastParams } from './fast-forward.js';

export const OWNER = 'quantization';

export class QuantizationSetupError extends Error {
  override name = 'QuantizationSetupError';
}

export interface QuantizerModule {
  placed: PlacedQuantizer;
  quantizer: Quantizer;
  /** Set during gradient-free initialization passes: activations use the one-pass JS kernel. */
  fast?: FastParams | null;
  /** Tensor names (activations) or the weight name the quantizer reads. */
  tensors: string[];
  /** Per tensor read by only some of its consumers: the (node, input port) pairs that read the quantized value. */
  inputPorts?: Record<string, { node: string; port: number }[]>;
}

function signedToForce(p: PlacedQuantizer): boolean | null {
  return p.signed === undefined ? null : p.signed;
}

/** The fake-quantize spec in the layout the hook will hand over. */
function fqSpec(p: PlacedQuantizer, model: CompressedModel, lrMultiplier: number | undefined): { spec: FqSpec; layout: 'native' | 'onnx'; onnxScaleShape?: number[] } {
  const base: FqSpec = {
    bits: p.bits,
    mode: p.mode,
    signedToForce: signedToForce(p),
    narrowRange: p.narrowRange,
    halfRange: p.halfRange,
    logarithmScale: p.logarithmScale,
    perChannel: false,
    lrMultiplier,
  };
  if (!p.perChannel) return { spec: base, layout: 'native' };
  const axis = p.channelAxis ?? (p.kind === 'weight' ? 0 : 1);
  const first = p.points[0];
  if (first.kind === 'weight') {
    const w = model.engine.weights().find((x) => x.name === first.tensor);
    if (!w) throw new QuantizationSetupError(`quantizer ${p.id}: weight "${first.tensor}" is not a weight of the engine`);
    const native = w.perm ? w.perm.indexOf(axis) : axis;
    // The node form reads the parameters in ONNX layout: ones but the channel axis.
    const onnxScaleShape = w.onnxDims.map((d, i) => (i === axis ? d : 1));
    return { spec: { ...base, perChannel: true, rank: w.onnxDims.length, channelAxis: native, channels: w.onnxDims[axis] }, layout: 'native', onnxScaleShape };
  }
  // Activation layouts vary per producer inside the engine: per-channel activation hooks get the native
  // tensor and convert to ONNX layout only on the differentiable path (see buildModule).
  const shape = model.graph.tensor(first.tensor)?.shape;
  const channels = shape?.[axis];
  if (!shape || typeof channels !== 'number')
    throw new QuantizationSetupError(`quantizer ${p.id}: per-channel activation "${first.tensor}" has no known channel count`);
  return { spec: { ...base, perChannel: true, rank: shape.length, channelAxis: axis, channels }, layout: 'native' };
}

const SHAPE_ONLY = new Set(['Shape', 'Size']);

interface HookTarget {
  tensor: string;
  /** Set when only some consumers read the quantized value (an NNCF input pre-hook on a branching tensor). */
  ports?: { node: string; port: number }[];
}

/** Tensor hooks: `input` points are consumer-specific; they become a plain tensor hook when they cover every consumer. */
function hookTargets(p: PlacedQuantizer, model: CompressedModel): HookTarget[] {
  const out = new Map<string, HookTarget>();
  const graph = model.graph;
  for (const pt of p.points) {
    if (out.has(pt.tensor)) continue;
    if (pt.kind !== 'input') {
      out.set(pt.tensor, { tensor: pt.tensor });
      continue;
    }
    const inputs = p.points.filter((q): q is Extract<typeof q, { kind: 'input' }> => q.kind === 'input' && q.tensor === pt.tensor);
    const covered = new Set(inputs.map((q) => q.consumer));
    // Shape/Size read only the shape: quantizing what they see changes nothing.
    const consumers = graph.consumers(pt.tensor).filter((n) => !SHAPE_ONLY.has(n.opType)).map((n) => n.name);
    const isOutput = graph.outputs.some((o) => o.name === pt.tensor);
    if (isOutput) consumers.push(pt.tensor);
    if (consumers.every((c) => covered.has(c))) {
      out.set(pt.tensor, { tensor: pt.tensor });
      continue;
    }
    if (covered.has(pt.tensor))
      throw new QuantizationSetupError(
        `quantizer ${p.id}: quantizing graph output "${pt.tensor}" for the output only, while nodes also read it unquantized, is not supported`,
      );
    out.set(pt.tensor, { tensor: pt.tensor, ports: inputs.map((q) => ({ node: q.consumer, port: q.port })) });
  }
  return [...out.values()];
}

export function buildModule(p: PlacedQuantizer, model: CompressedModel, lrMultiplier?: number, state?: unknown): { module: QuantizerModule; commands: InsertionCommand[] } {
  const { spec, layout, onnxScaleShape } = fqSpec(p, model, lrMultiplier);
  const targets = hookTargets(p, model);
  const tensors = targets.map((t) => t.tensor);
  const quantizer = state !== undefined ? Quantizer.fromState(state) : new Quantizer(spec);
  const module: QuantizerModule = { placed: p, quantizer, tensors };
  const partial = targets.filter((t) => t.ports);
  if (partial.length) module.inputPorts = Object.fromEntries(partial.map((t) => [t.tensor, t.ports!]));
  // The hook reads module.quantizer at call time, so loadState can swap in a restored quantizer.
  const onnxAxis = spec.perChannel ? (spec.channelAxis ?? 1) : null;
  const fn: HookFn = (x, info) => {
    if (!module.quantizer.enabled) return x;
    if (module.fast) return fastFakeQuantize(x, module.fast, onnxAxis === null ? null : info.axis(onnxAxis));
    if (p.kind === 'weight' || onnxAxis === null || info.perm === null || info.axis(onnxAxis) === onnxAxis) return module.quantizer.apply(x);
    // per-channel activation held channels-last: to ONNX layout and back around the quantizer
    const perm = info.perm;
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return tf.transpose(module.quantizer.apply(tf.transpose(x, inverse)), perm);
  };
  const commands: InsertionCommand[] = targets.map(({ tensor: name, ports }) => ({
    point: p.kind === 'weight' ? { kind: 'weight', name } : { kind: 'tensor', name, ...(ports ? { consumers: [...new Set(ports.map((x) => x.node))] } : {}) },
    fn,
    owner: OWNER,
    layout,
    // Built when read (at splice time), so it has the levels and parameters of that moment.
    get node() {
      return fakeQuantizeNodeForm(() => module.quantizer, `${OWNER}/${p.id}`, onnxScaleShape);
    },
  }));
  return { module, commands };
}

/** Switches activation quantizers to the gradient-free JS kernel (params frozen now) or back. */
export function setFastForward(mods: QuantizerModule[], on: boolean): void {
  for (const m of mods) {
    if (m.placed.kind !== 'activation') continue;
    m.fast = on ? fastParams(m.quantizer, m.placed.perChannel ? (m.placed.channelAxis ?? 1) : null) : null;
  }
}
