/** One row-oriented table of a statistics report. */
export interface StatisticsTable {
  title: string;
  header: string[];
  rows: (string | number)[][];
}

/** Structured statistics of one algorithm: named scalar values plus tables, rendered by toString(). */
export class Statistics {
  constructor(
    readonly algorithm: string,
    readonly values: Readonly<Record<string, number | string | boolean>>,
    readonly tables: readonly StatisticsTable[] = [],
    readonly children: readonly Statistics[] = [],
  ) {}

  /** Flat "algorithm/key" → value map, e.g. for TensorBoard-style logging. */
  toDict(): Record<string, number | string | boolean> {
    const out: Record<string, number | string | boolean> = {};
    for (const [k, v] of Object.entries(this.values)) out[`${this.algorithm}/${k}`] = v;
    for (const c of this.children) Object.assign(out, c.toDict());
    return out;
  }

  toString(): string {
    const parts: string[] = [];
    const entries = Object.entries(this.values);
    if (entries.length || this.tables.length) parts.push(`Statistics of ${this.algorithm}:`);
    if (entries.length) parts.push(renderTable({ title: '', header: ['Statistic', 'Value'], rows: entries.map(([k, v]) => [k, formatValue(v)]) }));
    for (const t of this.tables) parts.push(renderTable(t));
    for (const c of this.children) parts.push(c.toString());
    return parts.join('\n');
  }
}

function formatValue(v: number | string | boolean): string {
  if (typeof v !== 'number') return String(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

/** Renders a table with box-drawing borders, left-aligned text and right-aligned numbers. */
export function renderTable(t: StatisticsTable): string {
  const cells = [t.header, ...t.rows.map((r) => r.map((c) => (typeof c === 'number' ? formatValue(c) : c)))];
  const widths = t.header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const numeric = t.header.map((_, i) => t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number'));
  const line = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const row = (r: (string | number)[]) =>
    '│' + r.map((c, i) => ' ' + (numeric[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i])) + ' ').join('│') + '│';
  const out = [];
  if (t.title) out.push(t.title);
  out.push(line('┌', '┬', '┐'), row(cells[0]), line('├', '┼', '┤'));
  for (const r of cells.slice(1)) out.push(row(r));
  out.push(line('└', '┴', '┘'));
  return out.join('\n');
}
