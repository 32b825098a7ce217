/**
 * Elastic depth over a model (NNCF's ElasticDepthBuilder/Handler): the skippable blocks, given
 * (`skipped_blocks`, as [start node, end node] names) or found by NNCF's search, each made skippable
 * by a BlockInput + SkipBlock command pair (skip-node.ts); a subnet is the list of skipped block ids.
 *
 * NNCF's progressive rule (`_remove_blocks_skipped_non_progressively`): within a group of blocks that
 * follow each other only the last `depth_indicator` may be skipped, and a block is skipped only with
 * every later block of its group; a config is cleaned to that before it is activated.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../../compression/index.js';
import type { Random } from '../../../data/random.js';
import type { Graph } from '../../../graph/index.js';
import type { DepthConfig, DepthDimension } from '../elasticity.js';
import { findBuildingBlocks, groupDependentBlocks, type BuildingBlock } from './block-search.js';
import { blockInputNodeForm, skipBlockNodeForm } from './skip-node.js';

export const ELASTIC_DEPTH_OWNER = 'elastic_depth';

export class ElasticDepthError extends Error {
  override name = 'ElasticDepthError';
}

export interface ElasticDepthOptions {
  /** Manual blocks ([start, end] node names); found automatically when absent. */
  skippedBlocks?: readonly (readonly [string, string])[];
  minBlockSize?: number;
  maxBlockSize?: number;
  hwFusedOps?: boolean;
}

interface BlockState {
  block: BuildingBlock;
  input: string;
  output: string;
  keep: tf.Variable;
  skip: tf.Variable;
  /** The same flag as a JS value, for the tfjs hooks (no tensor read per forward). */
  skipped: boolean;
  saved?: tf.Tensor;
  /** Graph nodes not run when the block is skipped (end included, start excluded). */
  inner: string[];
}

const shapeKey = (g: Graph, t: string) => JSON.stringify(g.tensor(t)?.shape ?? null);

export class ElasticDepthHandler implements DepthDimension {
  readonly dim = 'depth' as const;
  readonly blocks: BuildingBlock[];
  readonly groups: number[][];
  private readonly state: BlockState[] = [];
  private active: DepthConfig = [];
  private indicator = 1;

  constructor(
    private readonly model: CompressedModel,
    opts: ElasticDepthOptions = {},
  ) {
    const graph = model.graph;
    // NNCF's depth builder takes the elasticity scopes but its block search does not read them; neither do we.
    this.blocks = opts.skippedBlocks
      ? opts.skippedBlocks.map(([start, end]) => ({ start, end }))
      : findBuildingBlocks(graph, opts).blocks.map(({ start, end }) => ({ start, end }));
    this.groups = groupDependentBlocks(this.blocks);
    this.blocks.forEach((block, i) => {
      const input = tensorOf(graph, block.start, block);
      const output = tensorOf(graph, block.end, block);
      if (shapeKey(graph, input) !== shapeKey(graph, output))
        throw new ElasticDepthError(
          `bootstrapNAS elasticity.depth.skipped_blocks[${i}]: "${block.start}" writes shape ${shapeKey(graph, input)} but "${block.end}" writes ${shapeKey(graph, output)}; a skipped block must keep the shape`,
        );
      const inner = innerNodes(graph, input, block);
      if (!inner.includes(block.end))
        throw new ElasticDepthError(`bootstrapNAS elasticity.depth.skipped_blocks[${i}]: "${block.end}" does not depend on "${block.start}"`);
      const st: BlockState = { block, input, output, keep: tf.tidy(() => tf.variable(tf.scalar(1), false)), skip: tf.tidy(() => tf.variable(tf.scalar(0), false)), skipped: false, inner };
      this.state.push(st);
      const name = `${ELASTIC_DEPTH_OWNER}/b${i}`;
      model.apply({
        point: { kind: 'tensor', name: input },
        owner: ELASTIC_DEPTH_OWNER,
        layout: 'onnx',
        // Keep the block's input while it is skipped (a clone: the engine may free the original early).
        fn: (x) => {
          st.saved = st.skipped ? tf.clone(x) : undefined;
          return x;
        },
        node: blockInputNodeForm(),
      });
      model.apply({
        point: { kind: 'tensor', name: output },
        owner: ELASTIC_DEPTH_OWNER,
        layout: 'onnx',
        fn: (y) => (st.skipped && st.saved ? st.saved : y),
        node: skipBlockNodeForm(input, { name: `${name}/keep`, value: st.keep }, { name: `${name}/skip`, value: st.skip }),
      });
    });
  }

  get depthIndicator(): number {
    return this.indicator;
  }

  /** NNCF's depth_indicator: only the last k blocks of each group may be skipped. */
  set depthIndicator(k: number) {
    if (!Number.isInteger(k) || k < 1) throw new ElasticDepthError(`depth_indicator must be a positive integer, got ${k}`);
    this.indicator = k;
  }

  /** The depth indicator (progressive shrinking sets it per stage): a subnet set again later must see the search's rule. */
  getState(): Record<string, unknown> {
    return { depth_indicator: this.indicator };
  }

  loadState(state: Record<string, unknown>): void {
    if (state.depth_indicator !== undefined) this.depthIndicator = state.depth_indicator as number;
  }

  /** `config` without the blocks NNCF would not skip under the progressive rule (order kept). */
  consistent(config: DepthConfig): DepthConfig {
    const set = new Set(config);
    return config.filter((b) => {
      const group = this.groups.find((g) => g.includes(b));
      if (!group) return true;
      const at = group.indexOf(b);
      return group.length - at <= this.indicator && group.slice(at + 1).every((later) => set.has(later));
    });
  }

  /** Every skip set the progressive rule allows, by size then lexicographically, the empty one last (NNCF's order). */
  searchSpace(): DepthConfig[] {
    let sets: number[][] = [[]];
    for (const group of this.groups) {
      const choices = Array.from({ length: Math.min(group.length, this.indicator) + 1 }, (_, j) => group.slice(group.length - j));
      sets = sets.flatMap((s) => choices.map((c) => [...s, ...c]));
    }
    const nonEmpty = sets.filter((s) => s.length).map((s) => s.sort((a, b) => a - b));
    nonEmpty.sort((a, b) => a.length - b.length || lexicographic(a, b));
    return [...nonEmpty, []];
  }

  activeConfig(): DepthConfig {
    return [...this.active];
  }

  activate(config: DepthConfig): void {
    for (const b of config)
      if (!Number.isInteger(b) || b < 0 || b >= this.blocks.length)
        throw new ElasticDepthError(`depth config names block ${b}, but the model has ${this.blocks.length} skippable blocks (0..${this.blocks.length - 1})`);
    this.active = this.consistent([...new Set(config)]);
    const on = new Set(this.active);
    this.state.forEach((s, i) => {
      s.skipped = on.has(i);
      tf.tidy(() => {
        s.skip.assign(tf.scalar(s.skipped ? 1 : 0));
        s.keep.assign(tf.scalar(s.skipped ? 0 : 1));
      });
    });
  }

  minimumConfig(): DepthConfig {
    return this.consistent(this.blocks.map((_, i) => i));
  }

  maximumConfig(): DepthConfig {
    return [];
  }

  /** NNCF draws one bit per block; the draw is returned cleaned by the progressive rule (what activate runs). */
  randomConfig(rng: Random): DepthConfig {
    return this.consistent(this.blocks.flatMap((_, i) => (rng.int(2) === 1 ? [i] : [])));
  }

  skippedNodes(): string[] {
    return this.active.flatMap((i) => this.state[i].inner);
  }

  blockBoundaries(): [string, string][] {
    return this.state.map((s) => [s.input, s.output]);
  }

  /** Skipped blocks cut out: readers of a block's output read its input; nodes left unused are removed. */
  editExportGraph(graph: Graph): void {
    if (!this.active.length) return;
    const alias = new Map<string, string>();
    const resolve = (t: string) => {
      while (alias.has(t)) t = alias.get(t)!;
      return t;
    };
    for (const i of [...this.active].sort((a, b) => a - b)) alias.set(this.state[i].output, resolve(this.state[i].input));
    for (const node of graph.nodes) node.inputs = node.inputs.map((t) => (t === '' ? t : resolve(t)));
    const outputsToCopy = graph.outputs.filter((o) => alias.has(o.name));
    const needed = new Set(graph.outputs.map((o) => resolve(o.name)));
    const kept = [];
    for (const node of [...graph.nodes].reverse()) {
      if (!node.outputs.some((o) => needed.has(o))) continue;
      kept.push(node);
      for (const t of node.inputs) if (t !== '') needed.add(t);
    }
    graph.nodes = kept.reverse();
    for (const o of outputsToCopy)
      graph.nodes.push({ name: `${o.name}/skipped_block_identity`, opType: 'Identity', domain: '', inputs: [resolve(o.name)], outputs: [o.name], attributes: {}, scope: o.name });
    for (const name of [...graph.initializers.keys()]) if (!needed.has(name)) graph.initializers.delete(name);
  }

  dispose(): void {
    for (const s of this.state) {
      s.keep.dispose();
      s.skip.dispose();
    }
  }
}

function lexicographic(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The tensor a block boundary names: the node's first output, or a model input of that name. */
function tensorOf(graph: Graph, name: string, block: BuildingBlock): string {
  const node = graph.node(name);
  if (node) return node.outputs[0];
  if (graph.inputs.some((t) => t.name === name)) return name;
  throw new ElasticDepthError(`bootstrapNAS elasticity.depth: block [${block.start}, ${block.end}] names "${name}", which is not a node of the model`);
}

/** Nodes on a path from the block's input tensor to its end node (NNCF's node_names_per_block). */
function innerNodes(graph: Graph, input: string, block: BuildingBlock): string[] {
  const after = new Set<string>();
  const stack = [input];
  while (stack.length) {
    const t = stack.pop()!;
    for (const c of graph.consumers(t))
      if (!after.has(c.name)) {
        after.add(c.name);
        stack.push(...c.outputs.filter((o) => o !== ''));
      }
  }
  const end = graph.node(block.end);
  if (!end || !after.has(end.name)) return [];
  const before = new Set<string>([end.name]);
  const queue = [end];
  while (queue.length) {
    const n = queue.pop()!;
    for (const t of n.inputs) {
      const p = t === '' ? undefined : graph.producer(t);
      if (p && after.has(p.name) && !before.has(p.name)) {
        before.add(p.name);
        queue.push(p);
      }
    }
  }
  return graph.nodes.filter((n) => before.has(n.name)).map((n) => n.name);
}
