import type { AttributeValue, GraphNode } from '../types.js';
import { attributeSignature, decodeAttribute, encodeAttribute } from './attributes.js';
import type { AttributeProto, NodeProto } from './messages.js';
import { has } from './codec.js';
import type { ExternalDataReader } from './tensor-decode.js';

/** What a node looked like when decoded: lets the encoder reuse original protos for untouched parts. */
interface NodeSnapshot {
  name: string;
  attrs: Map<string, { value: AttributeValue; signature: string; proto: AttributeProto }>;
}
const nodeSnapshots = new WeakMap<object, NodeSnapshot>();

/**
 * NodeProto → GraphNode. `fallbackName` is used when the node has no name (many exporters omit it);
 * the invented name is not written back on export.
 */
export function decodeNode(p: NodeProto, fallbackName: string, readExternal?: ExternalDataReader): GraphNode {
  const attributes: Record<string, AttributeValue> = {};
  const attrs: NodeSnapshot['attrs'] = new Map();
  for (const a of p.attribute ?? []) {
    const name = a.name ?? '';
    const value = decodeAttribute(a, readExternal);
    attributes[name] = value;
    attrs.set(name, { value, signature: attributeSignature(value), proto: a });
  }
  const name = p.name || fallbackName;
  nodeSnapshots.set(p, { name, attrs });
  return {
    name,
    opType: p.op_type ?? '',
    domain: p.domain ?? '',
    inputs: [...(p.input ?? [])],
    outputs: [...(p.output ?? [])],
    attributes,
    scope: name,
    raw: p,
  };
}

function sameList(a: readonly string[], b: readonly string[] | undefined): boolean {
  return a.length === (b?.length ?? 0) && a.every((x, i) => x === b![i]);
}

/**
 * GraphNode → NodeProto. Fields equal to the decoded original keep the original's exact form (presence,
 * attribute protos), so an untouched node re-encodes to the same bytes; changed fields come from the node.
 */
export function encodeNode(node: GraphNode): NodeProto {
  const orig = (node.raw && typeof node.raw === 'object' ? node.raw : undefined) as NodeProto | undefined;
  const snap = orig ? nodeSnapshots.get(orig) : undefined;
  const p: NodeProto = {};
  p.input = orig && sameList(node.inputs, orig.input) ? orig.input : [...node.inputs];
  p.output = orig && sameList(node.outputs, orig.output) ? orig.output : [...node.outputs];
  if (snap && node.name === snap.name && !has(orig, 'name')) {
    // invented on import: stay unnamed
  } else p.name = node.name;
  p.op_type = node.opType;
  p.attribute = Object.entries(node.attributes).map(([name, value]) => {
    const before = snap?.attrs.get(name);
    if (before && (before.value === value || before.value.type === value.type) && before.signature === attributeSignature(value)) {
      const opaque = value.type === 'graph' || value.type === 'graphs' || value.type === 'other';
      if (!opaque || before.value.value === value.value) return before.proto;
    }
    return encodeAttribute(name, value);
  });
  if (has(orig, 'doc_string')) p.doc_string = orig!.doc_string;
  if (has(orig, 'domain') && orig!.domain === node.domain) p.domain = orig!.domain;
  else if (node.domain) p.domain = node.domain;
  if (has(orig, 'overload')) p.overload = orig!.overload;
  if (orig?.metadata_props?.length) p.metadata_props = orig.metadata_props;
  if (orig?.device_configurations?.length) p.device_configurations = orig.device_configurations;
  return p;
}
