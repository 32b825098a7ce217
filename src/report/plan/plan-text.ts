/** The plan as readable tables (what `nncf-ts plan` prints without --json). */
import { renderTable, Statistics } from '../../compression/index.js';
import type { AlgorithmPlan, PlannedQuantizer } from './algorithms.js';
import type { KeptFloatLayer } from './kept-float.js';
import type { Plan } from './plan.js';

const yes = (b: boolean) => (b ? 'yes' : 'no');

function quantizationText(a: AlgorithmPlan): string[] {
  const qs = a.quantizers as PlannedQuantizer[];
  const kept = a.kept_float as KeptFloatLayer[];
  const out = [
    renderTable({
      title: `quantization (target_device ${String(a.target_device)}): ${qs.length} quantizers`,
      header: ['quantizer', 'kind', 'bits', 'mode', 'signed', 'per-channel', 'layers'],
      rows: qs.map((q) => [
        q.id,
        q.kind,
        q.bits,
        q.mode,
        q.signedness_from === 'default (no range init)' ? 'no (range init not run)' : yes(q.signed),
        yes(q.per_channel),
        q.layers.join(', '),
      ]),
    }),
  ];
  if (kept.length)
    out.push(
      renderTable({
        title: 'layers kept (partly) in float, and why',
        header: ['layer', 'op', 'reason'],
        rows: kept.map((k) => [k.layer, k.op, k.reason]),
      }),
    );
  else out.push('every weighted layer has its weight and input quantized');
  const staged = a.staged as {
    activations_quant_start_epoch: number;
    weights_quant_start_epoch: number;
  } | null;
  if (staged)
    out.push(
      `staged: activations from epoch ${staged.activations_quant_start_epoch}, weights from epoch ${staged.weights_quant_start_epoch}`,
    );
  const range = a.range_init as { initialized: number; skipped?: string } | null;
  if (range) out.push(`range init: ${range.skipped ?? `${range.initialized} quantizers initialized`}`);
  return out;
}

function algorithmText(a: AlgorithmPlan): string[] {
  if (a.algorithm === 'quantization') return quantizationText(a);
  const rows = Object.entries(a)
    .filter(([k]) => k !== 'algorithm')
    .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  return [renderTable({ title: a.algorithm, header: ['key', 'value'], rows })];
}

/** Schedule rows: the first record and every record where some state changes (JSON lists them all). */
function scheduleText(plan: Plan): string[] {
  const names = Object.keys(plan.schedule[0]?.algorithms ?? {});
  if (names.length === 0)
    return [
      `schedule: no compression algorithm, nothing changes per epoch (train fine-tunes the FP32 model)`,
    ];
  const cell = (s: Record<string, unknown>) =>
    'weights_enabled' in s
      ? `W ${s.weights_enabled ? 'on' : 'off'}, A ${s.activations_enabled ? 'on' : 'off'}, ${String(s.stage)}`
      : typeof s.level === 'number'
        ? `level ${s.level.toFixed(4)} (model ${Number(s.model_sparsity_level).toFixed(4)}), ${String(s.stage)}`
        : String(s.stage);
  const rows: (string | number)[][] = [];
  let last = '';
  for (const r of plan.schedule) {
    const cells = names.map((n) => cell(r.algorithms[n]));
    const key = cells.join('|');
    if (key === last) continue;
    last = key;
    rows.push([r.epoch, r.step, ...cells]);
  }
  const title = `schedule: ${plan.epochs} epoch(s) × ${plan.steps_per_epoch} step(s); ${plan.schedule.length} records, rows where a state changes`;
  return [renderTable({ title, header: ['epoch', 'step', ...names], rows })];
}

export function renderPlan(plan: Plan): string {
  const parts: string[] = [
    `plan for ${plan.model ?? 'model'} with ${plan.config ?? 'config'} (${plan.data ? 'with data' : 'no data'})`,
  ];
  for (const n of plan.notes) parts.push(`note: ${n}`);
  if (plan.example_forward) {
    const ex = plan.example_forward;
    parts.push(
      renderTable({
        title: 'example forward (input_info)',
        header: ['tensor', 'dtype', 'shape', 'filler'],
        rows: [
          ...ex.inputs.map((i) => [`in: ${i.name}`, i.dtype, `[${i.shape.join(',')}]`, i.filler]),
          ...ex.outputs.map((o) => [`out: ${o.name}`, '', `[${o.shape.join(',')}]`, '']),
        ],
      }),
    );
  }
  for (const a of plan.algorithms) parts.push(...algorithmText(a));
  parts.push(...scheduleText(plan));
  for (const [name, s] of Object.entries(plan.statistics))
    parts.push(new Statistics(name, s.values, s.tables).toString());
  if (plan.sizes) {
    const z = plan.sizes;
    parts.push(
      renderTable({
        title: 'model size (bytes; gzip = what a web user downloads)',
        header: ['model', 'file', 'gzip'],
        rows: [
          ['FP32', z.fp32_bytes, z.fp32_gzip_bytes],
          ['exported (masks applied)', z.exported_bytes, z.exported_gzip_bytes],
          ['exported, --sparse-initializers', z.sparse_initializer_bytes, z.sparse_initializer_gzip_bytes],
        ],
      }),
    );
  }
  parts.push(`final stage: ${plan.stage}`);
  return parts.join('\n');
}
