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

const isRecordList = (v: unknown): v is Record<string, unknown>[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));

const cellText = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** One record as table rows: list-valued columns get one element per row, scalars sit in the first row. */
function recordRows(r: Record<string, unknown>, header: readonly string[]): string[][] {
  const height = Math.max(1, ...header.map((h) => (Array.isArray(r[h]) ? (r[h] as unknown[]).length : 1)));
  return Array.from({ length: height }, (_, i) =>
    header.map((h) => {
      const v = r[h];
      if (Array.isArray(v)) return i < v.length ? cellText(v[i]) : '';
      return i === 0 ? cellText(v) : '';
    }),
  );
}

/** Scalars in one key/value table; a list of records (pruning groups, refused layers) as a table of its own. */
function algorithmText(a: AlgorithmPlan): string[] {
  if (a.algorithm === 'quantization') return quantizationText(a);
  const entries = Object.entries(a).filter(([k]) => k !== 'algorithm');
  const out = [renderTable({ title: a.algorithm, header: ['key', 'value'], rows: entries.filter(([, v]) => !isRecordList(v)).map(([k, v]) => [k, cellText(v)]) })];
  for (const [k, v] of entries) {
    if (!isRecordList(v)) continue;
    const header = Object.keys(v[0]);
    out.push(renderTable({ title: `${a.algorithm}: ${k}`, header, rows: v.flatMap((r) => recordRows(r, header)) }));
  }
  return out;
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
      : typeof s.level === 'number' && typeof s.model_sparsity_level === 'number'
        ? `level ${s.level.toFixed(4)} (model ${s.model_sparsity_level.toFixed(4)}), ${String(s.stage)}`
        : 'importance_threshold' in s && typeof s.sparsity_level_for_layers === 'number'
          ? `threshold ${typeof s.importance_threshold === 'number' ? s.importance_threshold.toFixed(4) : String(s.importance_threshold)}, λ ${Number(s.importance_regularization_factor).toFixed(4)}, ${String(s.stage)}`
        : typeof s.level === 'number' && typeof s.current_flops === 'number' && typeof s.full_flops === 'number'
          ? `level ${s.level.toFixed(4)} (FLOPs ${(s.current_flops / s.full_flops).toFixed(4)} of full), ${String(s.stage)}`
          : typeof s.level === 'number'
            ? `level ${s.level.toFixed(4)}, ${String(s.stage)}`
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
