/**
 * The columns of a bulk file and what a row's columns say about it: every template's bulk columns
 * (src/domain/connector-templates.ts), the row's identity as the file wrote it, and the columns a row of one template
 * may not fill. Pure; used by src/domain/bulk-input.ts and the file readers.
 */
import type { LineProblem } from '../base/problems';
import type { RowIdentity } from './bulk-report';
import { CONNECTOR_TEMPLATES, type ConnectorTemplate } from './connector-templates';
import { getPath, setPath, stringAt } from './json-paths';

/**
 * The columns a file may have: every template's bulk columns (the SMS template's first, as files always had them);
 * a row fills only its own template's.
 */
export const COLUMN_PATHS: Readonly<Record<string, readonly string[]>> = Object.assign(
  {},
  ...Object.values(CONNECTOR_TEMPLATES).map((t: ConnectorTemplate) => t.bulkColumns),
) as Record<string, readonly string[]>;
export type RowColumn = string;
export const ROW_COLUMNS: readonly RowColumn[] = Object.keys(COLUMN_PATHS);
/** The columns that can identify a row: a file needs one of them. */
export const IDENTITY_COLUMNS = ['phoneNumberId', 'name'] as const;

export const NUMBER_PATH = COLUMN_PATHS['phoneNumberId']!;
export const NAME_PATH = COLUMN_PATHS['name']!;
export const TEMPLATE_PATH = COLUMN_PATHS['connectorTemplateRef']!;

/** A row as read from the file: CSV columns (strings) or a JSON line (a partial provisioning input). */
export type SourceRow =
  | { line: number; kind: 'columns'; columns: Partial<Record<RowColumn, string>> }
  | { line: number; kind: 'partial'; input: Record<string, unknown> };

/** A row filling another template's columns, or a row of a template identified by name without its own name. */
export function refusedByTemplate(
  row: SourceRow,
  partial: Record<string, unknown>,
  template: ConnectorTemplate,
): LineProblem[] | undefined {
  if (row.kind === 'columns') {
    const own = Object.keys(template.bulkColumns);
    const foreign = ROW_COLUMNS.filter((c) => !own.includes(c) && (row.columns[c] ?? '').trim() !== '');
    if (foreign.length)
      return foreign.map((c) => ({
        line: row.line,
        field: c,
        reason: `not a column of ${template.ref}, which is identified by ${identifiedBy(template)} (its columns: ${own.join(', ')})`,
      }));
  }
  if (template.identity === 'name' && getPath(partial, NAME_PATH) === undefined)
    return [
      {
        line: row.line,
        field: row.kind === 'columns' ? 'name' : NAME_PATH.join('.'),
        reason: `required in each row: ${template.ref} is identified by its connector name`,
      },
    ];
  return undefined;
}

export function identifiedBy(template: ConnectorTemplate): string {
  return template.identity === 'name' ? 'its connector name' : 'its number';
}

/** The row's identity as the file wrote it: its number, or (template identified by name) template and name. */
export function writtenIdentity(
  row: SourceRow,
  partial: Record<string, unknown>,
  template: ConnectorTemplate | undefined,
): RowIdentity {
  if (template?.identity === 'name') {
    const name = stringAt(partial, NAME_PATH);
    return name === undefined ? {} : { connectorTemplateRef: template.ref, name };
  }
  const number = writtenNumber(row);
  return number === undefined ? {} : { phoneNumberId: number };
}

export function writtenNumber(row: SourceRow): string | undefined {
  return row.kind === 'columns' ? row.columns['phoneNumberId'] : stringAt(row.input, NUMBER_PATH);
}

export function columnsToPartial(columns: Partial<Record<RowColumn, string>>): Record<string, unknown> {
  const partial: Record<string, unknown> = {};
  for (const column of ROW_COLUMNS) {
    const value = columns[column];
    // An empty cell means "the default", as people fill spreadsheets; so does a cell of spaces, which looks empty.
    if (value === undefined || value.trim() === '') continue;
    setPath(partial, COLUMN_PATHS[column]!, value);
  }
  return partial;
}

/** A field of the merged input as the CSV names it: its column, or the defaults' field it came from. */
export function columnOf(field: string): string {
  return ROW_COLUMNS.find((c) => COLUMN_PATHS[c]!.join('.') === field) ?? `${field} (from the defaults)`;
}
