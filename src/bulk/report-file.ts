/**
 * The bulk report as a file: CSV (csv-stringify: quoting of reasons with commas and quotes, CRLF-safe) or JSON by the
 * extension, one row per line of the inventory; and the rows of a previous report to retry (`--retry-failed`).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  BULK_OUTCOMES,
  reportCells,
  reportColumns,
  rowKey,
  type BulkOutcome,
  type ReportRow,
} from '../domain/bulk-report';
import { InventoryFileError } from './inventory-file';

/** The outcomes `--retry-failed` runs again. */
export const RETRIED_OUTCOMES: readonly BulkOutcome[] = ['failed', 'cancelled', 'not-started'];

/** The report; rows identified by name add the connectorTemplateRef and name columns (src/domain/bulk-report.ts). */
export async function writeReport(path: string, rows: ReportRow[]): Promise<void> {
  const columns = reportColumns(rows);
  const cells = rows.map((r) => reportCells(r, columns));
  if (extname(path).toLowerCase() === '.json') {
    await writeFile(path, `${JSON.stringify(cells, null, 2)}\n`);
    return;
  }
  await writeFile(path, stringify(cells, { header: true, columns }));
}

/**
 * The keys (src/domain/bulk-report.ts rowKey: the lower-case number, or template and name) of the rows of a previous
 * report whose outcome is failed, cancelled or not-started.
 */
export async function keysToRetry(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InventoryFileError(
      code === 'ENOENT'
        ? `--retry-failed: no such file: ${path}`
        : `--retry-failed: cannot read ${path}: ${code ?? (err as Error).message}`,
    );
  }
  let rows: Array<Record<string, unknown>>;
  try {
    rows =
      extname(path).toLowerCase() === '.json'
        ? (JSON.parse(text) as Array<Record<string, unknown>>)
        : parse<Record<string, unknown>>(text, { bom: true, columns: true, skip_empty_lines: true });
  } catch (err) {
    throw new InventoryFileError(`--retry-failed: ${path} is not a bulk report: ${(err as Error).message}`);
  }
  if (!Array.isArray(rows))
    throw new InventoryFileError(`--retry-failed: ${path} is not a bulk report (expected a list of rows)`);
  const retry = new Set<string>();
  rows.forEach((row, i) => {
    const outcome = row.outcome;
    if (
      typeof row.phoneNumberId !== 'string' ||
      typeof outcome !== 'string' ||
      !(BULK_OUTCOMES as readonly string[]).includes(outcome)
    ) {
      throw new InventoryFileError(
        `--retry-failed: ${path} row ${i + 1}: not a bulk report row (needs phoneNumberId and outcome)`,
      );
    }
    const key = rowKey({
      phoneNumberId: row.phoneNumberId,
      name: textOf(row.name),
      connectorTemplateRef: textOf(row.connectorTemplateRef),
    });
    if (key && (RETRIED_OUTCOMES as readonly string[]).includes(outcome)) retry.add(key);
  });
  return retry;
}

function textOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
