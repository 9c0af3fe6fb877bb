/**
 * Where the CLI writes: data (JSON, tables) on stdout, so it can be piped; messages for people on stderr.
 */
export interface Output {
  json: (value: unknown) => void;
  text: (line: string) => void;
  info: (line: string) => void;
}

export const stdOutput: Output = {
  json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  text: (line) => process.stdout.write(`${line}\n`),
  info: (line) => process.stderr.write(`${line}\n`),
};

/** A plain aligned table: a header row and one row per item; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** 2026-12-01 10:01:29Z: sortable, UTC, no milliseconds. */
export function shortTime(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')}Z` : '';
}
