// Percentiles and the printed table of `npm run bench`.
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}
export const median = (v: number[]): number => percentile(v, 50);

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target: string;
  /** true when the target is met, undefined when there is no target */
  met?: boolean;
}

export function printTable(rows: BenchRow[]): void {
  const lines = [["benchmark", "value", "unit", "target", "met"], ...rows.map((r) => [r.name, r.value.toFixed(r.value < 10 ? 2 : 0), r.unit, r.target, r.met === undefined ? "" : r.met ? "yes" : "NO"])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  for (const l of lines) process.stdout.write(l.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ") + "\n");
}
