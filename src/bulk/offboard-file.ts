/**
 * Bulk offboarding's files: the file of numbers to offboard (one phone-number id a line, or a CSV with a
 * `phoneNumberId` column, or `connectorTemplateRef` and `name` columns for templates keyed by name), its report (CSV
 * or JSON by the extension, a line per row) and the rows of a previous report to retry.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  BULK_OFFBOARD_OUTCOMES,
  RETRIED_OFFBOARD_OUTCOMES,
  type BulkOffboardOutcome,
  type BulkOffboardReport,
  type BulkOffboardRow,
} from '../domain/bulk-offboarding';
import { InventoryFileError } from './inventory-file';

/** The rows of a file of numbers; a line that names nothing is an error naming its line. */
export function parseOffboardFile(text: string, source: string): BulkOffboardRow[] {
  const records = parse(text, {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
  });
  const header = records[0]?.map((h) => h.trim()) ?? [];
  const hasHeader = header.includes('phoneNumberId') || header.includes('connectorTemplateRef');
  const col = (name: string) => (hasHeader ? header.indexOf(name) : name === 'phoneNumberId' ? 0 : -1);
  const [num, tpl, name] = [col('phoneNumberId'), col('connectorTemplateRef'), col('name')];
  const rows: BulkOffboardRow[] = [];
  records.slice(hasHeader ? 1 : 0).forEach((cells, i) => {
    const line = i + (hasHeader ? 2 : 1);
    const cell = (k: number) => (k >= 0 ? (cells[k] ?? '').trim() : '');
    if (cell(num)) rows.push({ line, phoneNumberId: cell(num) });
    else if (cell(tpl) && cell(name))
      rows.push({ line, connector: { connectorTemplateRef: cell(tpl), name: cell(name) } });
    else throw new InventoryFileError('give a phoneNumberId, or a connectorTemplateRef and a name', line);
  });
  if (!rows.length) throw new InventoryFileError(`${source}: no rows to offboard`);
  return rows;
}

/** A row's identity, as the report writes it: its number, or `template/name`. */
export function offboardRowKey(r: { phoneNumberId?: string; connectorTemplateRef?: string; name?: string }): string {
  return r.phoneNumberId ? r.phoneNumberId.toLowerCase() : `${r.connectorTemplateRef ?? ''}/${r.name ?? ''}`;
}

export const OFFBOARD_REPORT_COLUMNS = [
  'line',
  'phoneNumberId',
  'connectorTemplateRef',
  'name',
  'outcome',
  'workflowId',
  'deleted',
  'foreign',
  'leftBehind',
  'reason',
] as const;
export type OffboardReportRow = Record<(typeof OFFBOARD_REPORT_COLUMNS)[number], string>;

/** A report line per row of the file, in its order (a row not given, of a run read without its file: no identity). */
export function offboardReportRows(
  rows: readonly BulkOffboardRow[],
  result: Pick<BulkOffboardReport, 'results'>,
): OffboardReportRow[] {
  return result.results.map((r) => {
    const row: Partial<BulkOffboardRow> = rows[r.row] ?? {};
    return {
      line: row.line === undefined ? '' : String(row.line),
      phoneNumberId: row.phoneNumberId ?? '',
      connectorTemplateRef: row.connector?.connectorTemplateRef ?? '',
      name: row.connector?.name ?? '',
      outcome: r.outcome,
      workflowId: r.workflowId,
      deleted: (r.deleted ?? []).join(' '),
      foreign: (r.foreign ?? []).join(' '),
      leftBehind: (r.leftBehind ?? []).join(' '),
      reason: r.reason ?? '',
    };
  });
}

export async function writeOffboardReport(path: string, rows: OffboardReportRow[]): Promise<void> {
  if (extname(path).toLowerCase() === '.json') await writeFile(path, `${JSON.stringify(rows, null, 2)}\n`);
  else await writeFile(path, offboardReportCsv(rows));
}

/** The report as CSV: a header of OFFBOARD_REPORT_COLUMNS, then a line per row. */
export function offboardReportCsv(rows: readonly OffboardReportRow[]): string {
  return stringify([...rows], { header: true, columns: [...OFFBOARD_REPORT_COLUMNS] });
}

/** The keys of a previous report's rows that failed, were cancelled or never started. */
export async function offboardKeysToRetry(path: string): Promise<Set<string>> {
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw new InventoryFileError(`cannot read the report ${path}: ${err.message}`);
  });
  const rows: Array<Partial<OffboardReportRow>> =
    extname(path).toLowerCase() === '.json'
      ? (JSON.parse(text) as Array<Partial<OffboardReportRow>>)
      : parse(text, { bom: true, columns: true, skip_empty_lines: true });
  const keys = new Set<string>();
  rows.forEach((r, i) => {
    const outcome = r.outcome as BulkOffboardOutcome;
    if (!BULK_OFFBOARD_OUTCOMES.includes(outcome))
      throw new InventoryFileError(
        `${path} line ${i + 2}: outcome "${r.outcome ?? ''}" is not a bulk offboarding outcome`,
      );
    if (RETRIED_OFFBOARD_OUTCOMES.includes(outcome)) keys.add(offboardRowKey(r));
  });
  return keys;
}

/** The rows of `rows` a previous report says to retry. */
export function rowsToRetry(rows: BulkOffboardRow[], keys: Set<string>): BulkOffboardRow[] {
  return rows.filter((r) => keys.has(offboardRowKey({ phoneNumberId: r.phoneNumberId, ...r.connector })));
}
