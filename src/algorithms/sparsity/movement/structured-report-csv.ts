/**
 * NNCF's `structured_sparsity.csv` (StructuredMaskHandler.report_structured_sparsity, written into
 * log_dir when the structured masks are populated at the end of warm-up): one row per grouped layer,
 * pandas `DataFrame.to_csv` layout (an unnamed index column first; Python tuples and lists printed as
 * Python prints them and quoted because they hold commas; more than 20 kept heads/channels shown as
 * "[N items]"). `torch_module` is the PyTorch module name, which an ONNX export keeps in the weight
 * initializer's name (`encoder.layer.0.attention.self.query.weight`); we print that name without its
 * `.weight` suffix, or the node name when the weight has another name.
 */
import type { StructuredLayerReport } from './structured-mask.js';

/** As NNCF's max_num_of_kept_heads_to_report. */
const MAX_KEPT_TO_LIST = 20;

const tuple = (dims: readonly number[]) => (dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`);

/** A CSV field, quoted as Python's csv module quotes (only when it holds a comma, quote or newline). */
function field(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function structuredSparsityCsv(report: readonly StructuredLayerReport[], weightNameOf: (layer: string) => string | undefined): string {
  const header = ['', 'group_id', 'torch_module', 'weight_shape', 'pruned_weight_shape', 'bias_shape', 'pruned_bias_shape', 'head_or_channel_id_to_keep', 'module_node_name'];
  const rows = report.map((r, i) => {
    const weight = weightNameOf(r.layer);
    const module = weight?.endsWith('.weight') ? weight.slice(0, -'.weight'.length) : r.layer;
    const kept = r.keptUnits.length > MAX_KEPT_TO_LIST ? `[${r.keptUnits.length} items]` : `[${r.keptUnits.join(', ')}]`;
    return [i, r.groupId, module, tuple(r.weightShape), tuple(r.prunedWeightShape), tuple(r.biasShape), tuple(r.prunedBiasShape), kept, r.layer].map(field).join(',');
  });
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
