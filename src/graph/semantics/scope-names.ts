import type { Graph } from '../graph.js';
import type { GraphNode } from '../types.js';

/**
 * NNCF-style scope names. For ONNX-origin nodes NNCF uses the node name, which is what
 * `GraphNode.scope` holds by default. Frontends that know a module hierarchy (a TF.js layers model,
 * or an ONNX export that kept PyTorch module paths) supply a `ScopeNamer` so that names read like
 * NNCF's PyTorch ones: `ResNet/NNCFConv2d[conv1]/conv2d_0`.
 */

/** The name scope patterns and quantizer ids use for a node. */
export function scopeOf(node: GraphNode): string {
  return node.scope !== '' && node.scope !== undefined ? node.scope : node.name;
}

/** One level of a module path: module class and attribute name, e.g. {type: 'Conv2d', name: 'conv1'}. */
export interface ModuleLevel {
  type: string;
  name: string;
}

/** A frontend's hook: returns the scope for a node, or undefined to keep the node name. */
export type ScopeNamer = (node: GraphNode, graph: Graph) => string | undefined;

/**
 * Builds a PyTorch-NNCF scope: `<Model>/<Type>[<name>]/…/<op>_<callIndex>`.
 * Weighted module types are shown with NNCF's wrapper prefix when `nncfWrapped` (Conv2d → NNCFConv2d),
 * as NNCF prints them after wrapping.
 */
export function hierarchicalScope(
  modelName: string,
  modules: readonly ModuleLevel[],
  op: string,
  callIndex = 0,
  nncfWrapped = false,
): string {
  const levels = modules.map((m) => `${nncfWrapped && NNCF_WRAPPED.has(m.type) ? 'NNCF' + m.type : m.type}[${m.name}]`);
  return [modelName, ...levels, `${op}_${callIndex}`].join('/');
}

const NNCF_WRAPPED: ReadonlySet<string> = new Set([
  'Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', 'Linear',
  'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'Embedding', 'EmbeddingBag', 'LayerNorm', 'GroupNorm',
]);

/**
 * Parses a PyTorch-exported ONNX node name such as `/layer1/layer1.0/conv1/Conv` into module
 * attribute names (`layer1`, `0`, `conv1`). Types are unknown in ONNX, so the namer passed to
 * `assignScopes` decides how to render them; this helper only splits.
 */
export function torchExportPath(nodeName: string): string[] {
  const parts = nodeName.split('/').filter((p) => p !== '');
  if (parts.length <= 1) return [];
  const modules = parts.slice(0, -1);
  // Each level repeats the dotted path of its parent ("layer1", "layer1.0"); keep the last segment.
  return modules.map((m) => m.split('.').at(-1) ?? m);
}

/** Applies a namer to every node (nodes for which it returns undefined keep their current scope). */
export function assignScopes(graph: Graph, namer: ScopeNamer): void {
  const seen = new Map<string, string>();
  for (const node of graph.nodes) {
    const s = namer(node, graph);
    if (s === undefined) continue;
    const other = seen.get(s);
    if (other !== undefined)
      throw new Error(`scope "${s}" given to both "${other}" and "${node.name}": scope names must be unique`);
    seen.set(s, node.name);
    node.scope = s;
  }
}
