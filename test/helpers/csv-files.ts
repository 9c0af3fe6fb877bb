/** The CSV files the CLI tests hand the starter, saved as a spreadsheet saves them, and the CSV reports it writes. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** Writes `lines` to `dir/name` with a byte-order mark and CRLF line ends; answers the file's path. */
export async function spreadsheetCsv(dir: string, name: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `\uFEFF${lines.join('\r\n')}\r\n`);
  return path;
}

/** A CSV report's rows, by column name. */
export async function readReport(path: string): Promise<Array<Record<string, string>>> {
  return parse(await readFile(path, 'utf8'), { columns: true });
}
