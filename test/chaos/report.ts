/**
 * One scenario's result and the table every run of the suite prints: correctness first (what the tests assert),
 * then the measured figures (printed, never asserted: they depend on the machine).
 */
import type { Figures } from './audit';
import { median } from './recovery';

export interface ScenarioResult {
  name: string;
  /** What was run, e.g. "200 numbers, 2 workers, 3 kills". */
  size: string;
  figures: Figures;
  /** Per kill or restart: ms until the work it interrupted was running again. */
  recoveries: number[];
  durationMs: number;
  /** Scenario-specific figures (latencies, memory, refusals…). */
  notes: string[];
  /** Scenario-specific checks that failed (the table's columns cover the common ones). */
  failedChecks?: string[];
}

const COLUMNS = [
  'scenario',
  'size',
  'runs exp.',
  'completed',
  'failed as exp.',
  'unexpected',
  'conn. mismatches',
  'orphans',
  'duplicates',
  'secret hits',
  'stuck',
  'recovery median / max',
  'time',
];

export function formatTable(results: ScenarioResult[]): string {
  const rows = results.map((r) => {
    const f = r.figures;
    const med = median(r.recoveries);
    const recovery = r.recoveries.length
      ? `${seconds(med!)} / ${seconds(Math.max(...r.recoveries))} (n=${r.recoveries.length})`
      : '–';
    return [
      r.name,
      r.size,
      f.runsExpected,
      f.completed,
      f.failedAsExpected,
      f.unexpected,
      f.connectorMismatches,
      f.orphans,
      f.duplicates,
      f.secretHits,
      f.stuck,
      recovery,
      seconds(r.durationMs),
    ].map(String);
  });
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const table = [line(COLUMNS), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  const notes = results.flatMap((r) => r.notes.map((n) => `- ${r.name}: ${n}`));
  return [...table, '', ...notes].join('\n');
}

/** Everything a scenario must get right, whatever the machine. */
export function problemsOf(r: ScenarioResult): string[] {
  const f = r.figures;
  const problems: string[] = [];
  if (f.unexpected) problems.push(`${f.unexpected} number(s) did not end as expected`);
  if (f.completed + f.failedAsExpected !== f.runsExpected)
    problems.push(`${f.completed} completed + ${f.failedAsExpected} failed as expected ≠ ${f.runsExpected} expected`);
  if (f.connectorMismatches) problems.push(`${f.connectorMismatches} number(s) with the wrong connectors`);
  if (f.orphans) problems.push(`${f.orphans} orphan connector(s)`);
  if (f.duplicates) problems.push(`${f.duplicates} duplicate connector(s)`);
  if (f.secretHits) problems.push(`${f.secretHits} secret occurrence(s) in histories, logs or errors`);
  if (f.stuck) problems.push(`${f.stuck} run(s) still running`);
  problems.push(...(r.failedChecks ?? []));
  return problems.length ? [...problems, ...f.problems] : [];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
