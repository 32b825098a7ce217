import * as tf from '@tensorflow/tfjs-core';
import type { InsertionCommand } from '../../compression/index.js';
import { maskNodeForm } from '../common/mask-node.js';
import type { Graph } from '../../graph/index.js';
import { keptChannels, propagateMaps, sourceMap, type ChannelMap, type GroupAnalysis, type Propagation } from './groups/index.js';

export const OWNER = 'filter_pruning';
const NORM_PARAM_PORTS: Record<string, number[]> = { BatchNormalization: [1, 2], InstanceNormalization: [1, 2], LayerNormalization: [1, 2] };

/** One masked parameter: `map` says which group's filter each slice along `axis` belongs to. */
export interface MaskedParam {
  name: string;
  axis: number;
  map: ChannelMap;
  /** 1-D float mask (1 keep, 0 pruned), updated in place when levels change. */
  mask: tf.Variable;
}

/** Channel maps of the real masks: each group's members emit its id. */
export function groupPropagation(analysis: GroupAnalysis): Propagation {
  const gid = new Map<string, number>();
  for (const g of analysis.groups) for (const m of g.members) gid.set(m.node.name, g.id);
  return propagateMaps(analysis.flow, analysis.layers, (l) => (gid.has(l.node.name) ? sourceMap(gid.get(l.node.name)!, l.outChannels) : null));
}

/**
 * The parameters pruning masks (NNCF: filter weights and biases of every group member, and with
 * prune_batch_norms the scale and bias of the norms the pruned channels reach).
 */
export function maskedParams(graph: Graph, analysis: GroupAnalysis, prop: Propagation, pruneNorms: boolean): MaskedParam[] {
  const out = new Map<string, MaskedParam>();
  const add = (name: string | undefined, axis: number, map: ChannelMap) => {
    const init = name ? graph.initializers.get(name) : undefined;
    if (!name || !init || out.has(name) || init.dims[axis] !== map.source.length) return;
    out.set(name, { name, axis, map, mask: tf.tidy(() => tf.variable(tf.ones([map.source.length]), false)) });
  };
  for (const g of analysis.groups)
    for (const l of g.members) {
      const map = sourceMap(g.id, g.channels);
      add(l.weight, l.outAxis, map);
      add(l.bias, 0, map);
    }
  if (pruneNorms)
    for (const n of analysis.flow.nodes) {
      const ports = NORM_PARAM_PORTS[n.opType];
      const map = ports ? prop.maps.get(n.inputs[0]) : undefined;
      if (ports && map) for (const p of ports) add(n.inputs[p], 0, map);
    }
  return [...out.values()];
}

/** Writes the current group masks into every masked parameter's mask. */
export function updateMasks(params: readonly MaskedParam[], keep: readonly Uint8Array[]): void {
  for (const p of params) {
    const k = keptChannels(p.map, (g) => keep[g]);
    tf.tidy(() => p.mask.assign(tf.tensor1d(Float32Array.from(k))));
  }
}

/**
 * The insertion command of one masked parameter: the engine hook and the compression-domain Mask node.
 * `owner` lets another algorithm (BootstrapNAS's elastic width) use the same masks under its own name.
 */
export function maskCommand(p: MaskedParam, rank: number, owner: string = OWNER): InsertionCommand {
  const onnxShape = Array.from({ length: rank }, (_, i) => (i === p.axis ? -1 : 1));
  return {
    point: { kind: 'weight', name: p.name },
    owner,
    layout: 'native',
    fn: (x, info) => {
      const shape = Array.from({ length: x.rank }, () => 1);
      shape[info.axis(p.axis)] = -1;
      return tf.mul(x, tf.reshape(p.mask, shape));
    },
    node: maskNodeForm({ name: `${owner}/${p.name}/mask`, value: p.mask, toOnnx: (v) => tf.reshape(v, onnxShape) }),
  };
}
