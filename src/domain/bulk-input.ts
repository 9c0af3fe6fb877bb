/**
 * Bulk onboarding input: one defaults document (a provisioning input without the per-number fields) and one row per
 * number (CSV columns, or a partial provisioning input per JSON line). Each row is merged over the defaults and the
 * result goes through the same schema as a single `provision`, so a number onboarded in bulk is exactly the
 * provisioning a single start would make (same input, same workflow id).
 *
 * Pure: no I/O. The file readers are in src/bulk; this module only turns rows into inputs or into problems that name
 * the row's line and the field (the CSV column where there is one).
 */
import { z } from 'zod';
import { InvalidProvisioningInput, parseProvisioningInput, type ProvisionChannelInput } from './provisioning-input';
import { identifyingNumberOf, phoneNumberIdOf, provisioningWorkflowId } from './provisioning-identity';
import { CONNECTOR_TEMPLATES } from './connector-templates';
import { InvalidFields, parseFields } from '../base/zod-issues';
import type { FieldProblem, LineProblem } from '../base/problems';

/** The CSV columns a row may have (the SMS template's, from its descriptor); `phoneNumberId` is the only required one. */
const SMS_COLUMNS = CONNECTOR_TEMPLATES['sms-messagebird:1'].bulkColumns;
export type RowColumn = keyof typeof SMS_COLUMNS;
export const ROW_COLUMNS = Object.keys(SMS_COLUMNS) as RowColumn[];

/** Where each column lands in a provisioning input (and so how a problem on that path is named back to the user). */
const COLUMN_PATHS: Record<RowColumn, readonly string[]> = SMS_COLUMNS;

/** Fields that identify one number: they belong in the file, never in the defaults (every row would share them). */
const PER_NUMBER_PATHS = [COLUMN_PATHS.phoneNumberId];

/**
 * The defaults document: the shape of a provisioning input with every field optional. Only its structure is
 * checked here (unknown keys, per-number fields); values are checked once merged, by the provisioning schema.
 */
export const BulkDefaults = z.strictObject({
  workspaceId: z.string().optional(),
  organizationId: z.string().optional(),
  connector: z
    .strictObject({
      connectorTemplateRef: z.string().optional(),
      name: z.string().optional(),
      arguments: z.record(z.string(), z.unknown()).optional(),
      channelConversationalStatusEnabled: z.boolean().optional(),
      securityArgumentsRef: z.string().optional(),
      invitationToken: z.string().optional(),
    })
    .optional(),
  readiness: z.record(z.string(), z.unknown()).optional(),
  subscriptions: z.array(z.unknown()).optional(),
});
export type BulkDefaults = z.infer<typeof BulkDefaults>;

/** A row as read from the file: CSV columns (strings) or a JSON line (a partial provisioning input). */
export type SourceRow =
  | { line: number; kind: 'columns'; columns: Partial<Record<RowColumn, string>> }
  | { line: number; kind: 'partial'; input: Record<string, unknown> };

export interface ValidRow {
  line: number;
  phoneNumberId: string;
  workflowId: string;
  input: ProvisionChannelInput;
}

export interface InvalidRow {
  line: number;
  /** As written in the file, when there is one (for the report). */
  phoneNumberId?: string;
  /** Each on the row's line, the field named as in the file (the CSV column, or the path in the JSON line). */
  problems: LineProblem[];
}

export interface Inventory {
  workspaceId: string;
  valid: ValidRow[];
  invalid: InvalidRow[];
}

export class InvalidBulkDefaults extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('bulk defaults', problems);
    this.name = 'InvalidBulkDefaults';
  }
}

export interface BulkOverrides {
  workspaceId?: string;
  organizationId?: string;
}

/**
 * Checks the defaults on their own: structure, per-number fields, and every value a row cannot change (a row only
 * sets its columns, so a bad readiness option would otherwise be reported once per row).
 */
export function parseBulkDefaults(raw: unknown, overrides: BulkOverrides = {}): BulkDefaults {
  const defaults = withOverrides(
    parseFields(BulkDefaults, raw, (problems) => new InvalidBulkDefaults(problems)),
    overrides,
  );
  const problems: FieldProblem[] = [];
  for (const path of PER_NUMBER_PATHS) {
    if (getPath(defaults, path) !== undefined)
      problems.push({ field: path.join('.'), reason: 'is per number; put it in the file, not in the defaults' });
  }
  if (!defaults.workspaceId)
    problems.push({ field: 'workspaceId', reason: 'required (in the defaults or with --workspace-id)' });
  if (!defaults.organizationId)
    problems.push({ field: 'organizationId', reason: 'required (in the defaults or with --organization-id)' });
  if (problems.length) throw new InvalidBulkDefaults(problems);
  // A probe row with valid per-number values: whatever still fails is the defaults' own problem.
  const probe = mergeOver(defaults, {
    connector: {
      name: defaults.connector?.name ?? 'probe',
      arguments: { phoneNumberId: '00000000-0000-4000-8000-000000000000' },
    },
  });
  try {
    parseProvisioningInput(probe);
  } catch (err) {
    if (!(err instanceof InvalidProvisioningInput)) throw err;
    // A column's problem is the rows' to fix, unless the defaults set that column themselves (a blank name).
    const own = err.problems.filter(
      (p) =>
        !ROW_COLUMNS.some(
          (c) => p.field === COLUMN_PATHS[c].join('.') && getPath(defaults, COLUMN_PATHS[c]) === undefined,
        ),
    );
    if (own.length) throw new InvalidBulkDefaults(own);
  }
  return defaults;
}

/** Merges every row over the defaults and validates it; duplicates of one number are refused naming both lines. */
export function buildInventory(defaults: BulkDefaults, rows: Iterable<SourceRow>): Inventory {
  const workspaceId = defaults.workspaceId!;
  const valid: ValidRow[] = [];
  const invalid: InvalidRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of rows) {
    const result = validateRow(defaults, row);
    if ('problems' in result) {
      invalid.push(result);
      continue;
    }
    // Refused rows are reported with the number as the file wrote it.
    const written = writtenNumber(row) ?? result.phoneNumberId;
    if (result.input.workspaceId !== workspaceId) {
      invalid.push({
        line: row.line,
        phoneNumberId: written,
        problems: [
          {
            line: row.line,
            field: 'workspaceId',
            reason: `must be the bulk run's workspace ${workspaceId} (one bulk run per workspace)`,
          },
        ],
      });
      continue;
    }
    const earlier = firstLineOf.get(result.workflowId);
    if (earlier !== undefined) {
      invalid.push({
        line: row.line,
        phoneNumberId: written,
        problems: [
          {
            line: row.line,
            field: 'phoneNumberId',
            reason: `duplicate of line ${earlier} (the same number once per file)`,
          },
        ],
      });
      continue;
    }
    firstLineOf.set(result.workflowId, row.line);
    valid.push(result);
  }
  return { workspaceId, valid, invalid };
}

function validateRow(defaults: BulkDefaults, row: SourceRow): ValidRow | InvalidRow {
  const partial = row.kind === 'columns' ? columnsToPartial(row.columns) : row.input;
  const written = writtenNumber(row);
  try {
    const input = parseProvisioningInput(mergeOver(defaults, partial));
    const phoneNumberId = identifyingNumberOf(input);
    if (!phoneNumberId)
      return {
        line: row.line,
        phoneNumberId: written,
        problems: [
          phoneNumberIdOf(input)
            ? {
                line: row.line,
                field: 'connectorTemplateRef',
                reason: `bulk onboarding is per number, and ${input.connector.connectorTemplateRef} is identified by name; provision it through the client, the CLI, the HTTP API or Nexus`,
              }
            : { line: row.line, field: 'phoneNumberId', reason: 'required (bulk onboarding is per number)' },
        ],
      };
    return { line: row.line, phoneNumberId, workflowId: provisioningWorkflowId(input), input };
  } catch (err) {
    if (!(err instanceof InvalidProvisioningInput)) throw err;
    const problems = err.problems.map((p) => ({
      line: row.line,
      field: row.kind === 'columns' ? columnOf(p.field) : p.field,
      reason: p.reason,
    }));
    return { line: row.line, phoneNumberId: written, problems };
  }
}

function writtenNumber(row: SourceRow): string | undefined {
  return row.kind === 'columns' ? row.columns.phoneNumberId : stringAt(row.input, COLUMN_PATHS.phoneNumberId);
}

function columnsToPartial(columns: Partial<Record<RowColumn, string>>): Record<string, unknown> {
  const partial: Record<string, unknown> = {};
  for (const column of ROW_COLUMNS) {
    const value = columns[column];
    // An empty cell means "the default", as people fill spreadsheets; so does a cell of spaces, which looks empty.
    if (value === undefined || value.trim() === '') continue;
    setPath(partial, COLUMN_PATHS[column], value);
  }
  return partial;
}

/** "connector.arguments.phoneNumberId: reason" → "phoneNumberId: reason"; fields that come from the defaults say so. */
/** A field of the merged input as the CSV names it: its column, or the defaults' field it came from. */
function columnOf(field: string): string {
  return ROW_COLUMNS.find((c) => COLUMN_PATHS[c].join('.') === field) ?? `${field} (from the defaults)`;
}

function withOverrides(defaults: BulkDefaults, overrides: BulkOverrides): BulkDefaults {
  return {
    ...defaults,
    ...(overrides.workspaceId ? { workspaceId: overrides.workspaceId } : {}),
    ...(overrides.organizationId ? { organizationId: overrides.organizationId } : {}),
  };
}

/** A deep merge of JSON objects: objects merge key by key, anything else (arrays included) in `over` replaces. */
export function mergeOver(base: unknown, over: unknown): Record<string, unknown> {
  return mergeValues(base, over) as Record<string, unknown>;
}

function mergeValues(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeValues(base[key], value);
  return merged;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let node = obj;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function stringAt(obj: unknown, path: readonly string[]): string | undefined {
  const v = getPath(obj, path);
  return typeof v === 'string' ? v : undefined;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = obj;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
