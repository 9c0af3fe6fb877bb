/**
 * What became of each number of a bulk run, in the vocabulary of its report. Pure: shared by the bulk workflow
 * (which records outcomes), the store and the CLI (which writes the report).
 */
import type { LineProblem } from '../base/problems';

export const BULK_OUTCOMES = ['active', 'already-active', 'failed', 'cancelled', 'not-started', 'invalid'] as const;
export type BulkOutcome = (typeof BULK_OUTCOMES)[number];

/** The outcomes a bulk run counts as success: the command exits 0 only if every row has one of them. */
export const SUCCESSFUL_OUTCOMES: readonly BulkOutcome[] = ['active', 'already-active'];

/** A bulk run's running tally of its rows by outcome (the bulk workflow's counts), as far as they count rows. */
export interface RowCounts {
  active: number;
  alreadyActive: number;
  failed: number;
  cancelled: number;
  notStarted: number;
}

/**
 * Rows handled (decided or finished) so far: the one sum behind "n of total done" in the UI, the CLI and the API.
 * `compensated` is not added: it counts failed or cancelled rows a second time.
 */
export function rowsHandled(c: RowCounts): number {
  return c.active + c.alreadyActive + c.failed + c.cancelled + c.notStarted;
}

/** One row's outcome as the bulk workflow records it (flushed to the bulk store in batches). */
export interface RowOutcome {
  /** Position in the inventory (0-based), the join key with the stored rows. */
  row: number;
  outcome: Exclude<BulkOutcome, 'invalid' | 'not-started'> | 'not-started';
  workflowId: string;
  connectorId?: string;
  channelId?: string;
  reason?: string;
  /** For failed and cancelled rows: whether everything the provisioning made was undone. */
  compensated?: boolean;
}

/** One line of the report, in its column order. */
export interface ReportRow {
  line: number;
  phoneNumberId: string;
  outcome: BulkOutcome;
  connectorId: string;
  channelId: string;
  workflowId: string;
  reason: string;
}

export const REPORT_COLUMNS = ['phoneNumberId', 'outcome', 'connectorId', 'channelId', 'workflowId', 'reason'] as const;

export interface StoredRowRef {
  row: number;
  line: number;
  phoneNumberId: string;
  workflowId: string;
}

export interface InvalidRowRef {
  line: number;
  phoneNumberId?: string;
  /** As data; an inventory stored before problems were data holds their "field: reason" text. */
  problems: ReadonlyArray<LineProblem | string>;
}

/**
 * One report row per line of the file: valid rows with their recorded outcome (the last one recorded wins; none
 * means the row was never started), invalid rows as `invalid` with their problems. Ordered as the file.
 */
export function buildReport(
  rows: Iterable<StoredRowRef>,
  invalid: InvalidRowRef[],
  outcomes: Iterable<RowOutcome>,
): ReportRow[] {
  const byRow = new Map<number, RowOutcome>();
  for (const o of outcomes) byRow.set(o.row, o);
  const report: ReportRow[] = [];
  for (const r of rows) {
    const o = byRow.get(r.row);
    report.push({
      line: r.line,
      phoneNumberId: r.phoneNumberId,
      outcome: o?.outcome ?? 'not-started',
      connectorId: o?.connectorId ?? '',
      channelId: o?.channelId ?? '',
      workflowId: r.workflowId,
      reason: o?.reason ?? (o ? '' : 'not started'),
    });
  }
  for (const bad of invalid) {
    report.push({
      line: bad.line,
      phoneNumberId: bad.phoneNumberId ?? '',
      outcome: 'invalid',
      connectorId: '',
      channelId: '',
      workflowId: '',
      reason: bad.problems.map(reasonOnRow).join('; '),
    });
  }
  return report.sort((a, b) => a.line - b.line);
}

export function countOutcomes(report: Iterable<{ outcome: BulkOutcome }>): Record<BulkOutcome, number> {
  const counts = Object.fromEntries(BULK_OUTCOMES.map((o) => [o, 0])) as Record<BulkOutcome, number>;
  for (const r of report) counts[r.outcome]++;
  return counts;
}

export function allSuccessful(report: Iterable<{ outcome: BulkOutcome }>): boolean {
  for (const r of report) if (!SUCCESSFUL_OUTCOMES.includes(r.outcome)) return false;
  return true;
}

/** A problem in the report's row, whose line says where it is: "field: reason", or the reason alone. */
export function reasonOnRow(p: LineProblem | string): string {
  if (typeof p === 'string') return p;
  return p.field ? `${p.field}: ${p.reason}` : p.reason;
}
