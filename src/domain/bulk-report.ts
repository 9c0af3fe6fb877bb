/**
 * What became of each row of a bulk run, in the vocabulary of its report. Pure: shared by the bulk workflow
 * (which records outcomes), the store and the CLI (which writes the report).
 */
import type { LineProblem } from '../base/problems';
import { identityKey } from './provisioning-identity';

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

/**
 * What identifies a row, as its template does (src/domain/connector-templates.ts): its number for a template
 * identified by number, else its template and connector name (both absent for a row too broken to tell).
 */
export interface RowIdentity {
  phoneNumberId?: string;
  connectorTemplateRef?: string;
  name?: string;
}

/**
 * A row's key: its workflow id's identity part (the number, lower-case as the inputs' ids; or template and name),
 * so a number written in any case is one row. Undefined for a row without an identity.
 */
export function rowKey(r: RowIdentity): string | undefined {
  if (r.phoneNumberId) return identityKey({ phoneNumberId: r.phoneNumberId.toLowerCase() });
  if (r.connectorTemplateRef && r.name)
    return identityKey({ connectorTemplateRef: r.connectorTemplateRef, name: r.name });
  return undefined;
}

/** One line of the report, in its column order; a row identified by name has its template and name instead of a number. */
export interface ReportRow {
  line: number;
  phoneNumberId: string;
  connectorTemplateRef?: string;
  name?: string;
  outcome: BulkOutcome;
  connectorId: string;
  channelId: string;
  workflowId: string;
  reason: string;
}

export const REPORT_COLUMNS = ['phoneNumberId', 'outcome', 'connectorId', 'channelId', 'workflowId', 'reason'] as const;
/** The columns naming a row identified by name, after phoneNumberId, when the report has one. */
export const NAME_REPORT_COLUMNS = ['connectorTemplateRef', 'name'] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number] | (typeof NAME_REPORT_COLUMNS)[number];

/** The report's columns: a report of numbers only keeps the columns it always had. */
export function reportColumns(rows: Iterable<ReportRow>): ReportColumn[] {
  for (const r of rows)
    if (r.connectorTemplateRef !== undefined || r.name !== undefined) {
      const [first, ...rest] = REPORT_COLUMNS;
      return [first, ...NAME_REPORT_COLUMNS, ...rest];
    }
  return [...REPORT_COLUMNS];
}

/** A report row's cells, in `columns` order (empty for what a row does not have). */
export function reportCells(r: ReportRow, columns: readonly ReportColumn[]): Record<ReportColumn, string> {
  return Object.fromEntries(columns.map((c) => [c, r[c] ?? ''])) as Record<ReportColumn, string>;
}

export interface StoredRowRef extends RowIdentity {
  row: number;
  line: number;
  workflowId: string;
}

export interface InvalidRowRef extends RowIdentity {
  line: number;
  /** As data; an inventory stored before problems were data holds their "field: reason" text. */
  problems: ReadonlyArray<LineProblem | string>;
}

/** A row's identity fields, only those it has (a number row keeps exactly the fields it always had). */
export function identityOf(r: RowIdentity): RowIdentity {
  return r.phoneNumberId !== undefined
    ? { phoneNumberId: r.phoneNumberId }
    : {
        ...(r.connectorTemplateRef !== undefined ? { connectorTemplateRef: r.connectorTemplateRef } : {}),
        ...(r.name !== undefined ? { name: r.name } : {}),
      };
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
      ...identityOf(r),
      phoneNumberId: r.phoneNumberId ?? '',
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
      ...identityOf(bad),
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
