/**
 * Reads a bulk inventory file into rows with their line numbers: CSV (a header row; quoted fields with commas, a BOM,
 * CRLF, multi-line quoted fields, all handled by csv-parse; the columns of every template, each row filling its own) or JSON Lines (`.jsonl`: one partial provisioning input
 * per line, or one object with the CSV's column names). Problems that concern one row are returned with its line so
 * the whole file can be reported at once; a file that cannot be read as a whole throws InventoryFileError.
 */
import { parse } from 'csv-parse/sync';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { problemText, type Problem } from '../base/problems';
import { IDENTITY_COLUMNS, ROW_COLUMNS, type InvalidRow, type RowColumn, type SourceRow } from '../domain/bulk-input';

/** The file as a whole cannot be read: one problem, on the line at fault when there is one, else on the inventory. */
export class InventoryFileError extends Error {
  override readonly name = 'InventoryFileError';
  readonly problems: Problem[];

  constructor(reason: string, line?: number) {
    const problem: Problem = line ? { line, reason } : { field: 'inventory', reason };
    super(line ? problemText(problem) : reason);
    this.problems = [problem];
  }
}

export interface ReadInventory {
  rows: SourceRow[];
  /** Rows refused before validation (wrong number of fields, not JSON), with their line. */
  unreadable: InvalidRow[];
}

export type InventoryFormat = 'csv' | 'jsonl';

export function formatOf(path: string): InventoryFormat {
  const ext = extname(path).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'csv';
}

export async function readInventoryFile(path: string): Promise<ReadInventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InventoryFileError(
      code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${code ?? (err as Error).message}`,
    );
  }
  return formatOf(path) === 'jsonl' ? parseJsonLines(text) : parseCsv(text);
}

export function parseCsv(text: string): ReadInventory {
  let records: Array<{ record: string[]; raw: string; info: { lines: number } }>;
  try {
    // Line endings normalised first: csv-parse guesses one record delimiter per file, and a spreadsheet's CRLF file
    // with an empty line or a line break inside a quoted field would otherwise shift every line number after it.
    records = parse(text.replace(/\r\n?/g, '\n'), {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      raw: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InventoryFileError(`not valid CSV: ${e.message.replace(/ (on|at) line \d+/, '')}`, e.lines);
  }
  const [header, ...body] = records;
  if (!header)
    throw new InventoryFileError(
      `the file is empty: it needs a header row (phoneNumberId or name, and optionally ${ROW_COLUMNS.filter((c) => !(IDENTITY_COLUMNS as readonly string[]).includes(c)).join(', ')})`,
    );
  const columns = header.record.map((c) => c.trim());
  const unknown = columns.filter((c) => !ROW_COLUMNS.includes(c));
  const problems: string[] = [];
  if (unknown.length)
    problems.push(
      `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} (known: ${ROW_COLUMNS.join(', ')})`,
    );
  if (!IDENTITY_COLUMNS.some((c) => columns.includes(c)))
    problems.push('the phoneNumberId column is required (or the name column, for templates identified by name)');
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length) problems.push(`column ${repeated.map((c) => `"${c}"`).join(', ')} appears twice`);
  if (problems.length) throw new InventoryFileError(problems.join('; '), startLine(header));

  const rows: SourceRow[] = [];
  const unreadable: InvalidRow[] = [];
  for (const r of body) {
    const line = startLine(r);
    if (r.record.length !== columns.length) {
      unreadable.push({
        line,
        phoneNumberId: r.record[columns.indexOf('phoneNumberId')],
        problems: [{ line, reason: `has ${r.record.length} fields; the header has ${columns.length}` }],
      });
      continue;
    }
    const fields: Partial<Record<RowColumn, string>> = {};
    columns.forEach((c, i) => (fields[c] = r.record[i]));
    rows.push({ line, kind: 'columns', columns: fields });
  }
  return { rows, unreadable };
}

/** The line a record starts on (csv-parse reports where it ends; a quoted field may span lines). */
function startLine(r: { raw: string; info: { lines: number } }): number {
  // The raw text starts with any empty lines skipped before the record and ends with its line break.
  const newlines = r.raw.replace(/^\n+/, '').replace(/\n$/, '').split('\n').length - 1;
  return r.info.lines - newlines;
}

export function parseJsonLines(text: string): ReadInventory {
  const rows: SourceRow[] = [];
  const unreadable: InvalidRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((content, i) => {
    const line = i + 1;
    if (content.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (err) {
      unreadable.push({ line, problems: [{ line, reason: `not valid JSON: ${(err as Error).message}` }] });
      return;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      unreadable.push({ line, problems: [{ line, reason: 'must be a JSON object (a partial provisioning input)' }] });
      return;
    }
    const obj = value as Record<string, unknown>;
    const flat = Object.keys(obj).some((k) => ROW_COLUMNS.includes(k));
    if (!flat) {
      rows.push({ line, kind: 'partial', input: obj });
      return;
    }
    // The CSV's columns as JSON keys: the same rules as a CSV row.
    const extra = Object.keys(obj).filter((k) => !ROW_COLUMNS.includes(k));
    const notText = ROW_COLUMNS.filter((c) => obj[c] !== undefined && typeof obj[c] !== 'string');
    if (extra.length || notText.length) {
      unreadable.push({
        line,
        phoneNumberId: typeof obj.phoneNumberId === 'string' ? obj.phoneNumberId : undefined,
        problems: [
          ...extra.map((field) => ({
            line,
            field,
            reason: "unknown field (a line uses either the CSV's column names or the provisioning input's shape)",
          })),
          ...notText.map((field) => ({ line, field, reason: 'must be a string' })),
        ],
      });
      return;
    }
    rows.push({ line, kind: 'columns', columns: obj as Partial<Record<RowColumn, string>> });
  });
  return { rows, unreadable };
}
