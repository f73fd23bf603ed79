// Printing for the benches: medians over rounds, one table, and the targets as PASS/FAIL lines.

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A number for a table: `digits` decimals, thousands separated, '—' when not measured. */
export function fmt(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints rows as aligned columns: the first left-aligned, the others right-aligned. */
export function printColumns(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

export interface Verdict {
  pass: boolean | undefined;
  text: string;
}

/** `value` against a bound: PASS/FAIL, or `—` when either side was not measured. */
export function check(
  name: string,
  value: number,
  op: '<=' | '>=' | '<',
  bound: number,
  detail: string,
  digits = 2,
): Verdict {
  const measured = Number.isFinite(value) && Number.isFinite(bound);
  const pass = !measured ? undefined : op === '<=' ? value <= bound : op === '>=' ? value >= bound : value < bound;
  return { pass, text: `${name}: ${fmt(value, digits)} (target ${op} ${fmt(bound, digits)}; ${detail})` };
}

export function printVerdicts(verdicts: Verdict[]): void {
  for (const v of verdicts) console.log(`${v.pass === undefined ? '  -- ' : v.pass ? 'PASS ' : 'FAIL '} ${v.text}`);
  const judged = verdicts.filter((v) => v.pass !== undefined);
  console.log(`${judged.filter((v) => v.pass).length} of ${judged.length} targets met`);
}
