/**
 * Bulk onboarding input: one defaults document (a provisioning input without the per-row fields) and one row per
 * connector (CSV columns, or a partial provisioning input per JSON line), of any template. Each row is merged over the
 * defaults and the result goes through the same schema as a single `provision`, so a row onboarded in bulk is exactly
 * the provisioning a single start would make (same input, same workflow id). A row's columns are its template's
 * (src/domain/connector-templates.ts bulkColumns), and its key is its identity: the number, or template and name.
 *
 * Pure: no I/O. The file readers are in src/bulk; this module only turns rows into inputs or into problems that name
 * the row's line and the field (the CSV column where there is one).
 */
import { z } from 'zod';
import { InvalidProvisioningInput, parseProvisioningInput, type ProvisionChannelInput } from './provisioning-input';
import { identifyingNumberOf, provisioningWorkflowId } from './provisioning-identity';
import { templateOf, type ConnectorTemplate } from './connector-templates';
import { identityOf, type RowIdentity } from './bulk-report';
import { InvalidFields, parseFields } from '../base/zod-issues';
import { getPath, mergeOver, stringAt } from './json-paths';
import {
  COLUMN_PATHS,
  NUMBER_PATH,
  ROW_COLUMNS,
  TEMPLATE_PATH,
  columnOf,
  columnsToPartial,
  refusedByTemplate,
  writtenIdentity,
  writtenNumber,
  type SourceRow,
} from './bulk-columns';
import type { FieldProblem, LineProblem } from '../base/problems';

export { mergeOver } from './json-paths';
export { IDENTITY_COLUMNS, ROW_COLUMNS, type RowColumn, type SourceRow } from './bulk-columns';

/** Fields that identify one number: they belong in the file, never in the defaults (every row would share them). */
const PER_NUMBER_PATHS = [NUMBER_PATH];

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

/** A valid row: its identity is its number (phoneNumberId) or, for a template identified by name, template and name. */
export interface ValidRow extends RowIdentity {
  line: number;
  workflowId: string;
  input: ProvisionChannelInput;
}

/** A refused row, with its identity as written in the file when there is one (for the report). */
export interface InvalidRow extends RowIdentity {
  line: number;
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
          (c) => p.field === COLUMN_PATHS[c]!.join('.') && getPath(defaults, COLUMN_PATHS[c]!) === undefined,
        ),
    );
    if (own.length) throw new InvalidBulkDefaults(own);
  }
  return defaults;
}

/**
 * Merges every row over the defaults and validates it; two rows of one identity (a number in any case, or a template
 * and name) are refused naming the first one's line.
 */
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
    const written =
      result.phoneNumberId !== undefined
        ? { phoneNumberId: writtenNumber(row) ?? result.phoneNumberId }
        : identityOf(result);
    if (result.input.workspaceId !== workspaceId) {
      invalid.push({
        line: row.line,
        ...written,
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
        ...written,
        problems: [
          result.phoneNumberId !== undefined
            ? {
                line: row.line,
                field: 'phoneNumberId',
                reason: `duplicate of line ${earlier} (the same number once per file)`,
              }
            : {
                line: row.line,
                field: 'name',
                reason: `duplicate of line ${earlier} (the same ${result.connectorTemplateRef} connector name once per file)`,
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
  const template = templateOf(stringAt(partial, TEMPLATE_PATH) ?? defaults.connector?.connectorTemplateRef ?? '');
  const written = writtenIdentity(row, partial, template);
  const refused = template && refusedByTemplate(row, partial, template);
  if (refused) return { line: row.line, ...written, problems: refused };
  try {
    const input = parseProvisioningInput(mergeOver(defaultsFor(defaults, template), partial));
    const number = identifyingNumberOf(input);
    const identity: RowIdentity = number
      ? { phoneNumberId: number }
      : { connectorTemplateRef: input.connector.connectorTemplateRef, name: input.connector.name };
    return { line: row.line, ...identity, workflowId: provisioningWorkflowId(input), input };
  } catch (err) {
    if (!(err instanceof InvalidProvisioningInput)) throw err;
    const problems = err.problems.map((p) => ({
      line: row.line,
      field: row.kind === 'columns' ? columnOf(p.field) : p.field,
      reason: p.reason,
    }));
    return { line: row.line, ...written, problems };
  }
}

/**
 * The defaults a row is merged over: their `connector.arguments` are their template's, so a row of another template
 * (set in the row) does not take them.
 */
function defaultsFor(defaults: BulkDefaults, template: ConnectorTemplate | undefined): BulkDefaults {
  const c = defaults.connector;
  if (!c?.arguments || !c.connectorTemplateRef || !template || template.ref === c.connectorTemplateRef) return defaults;
  const { arguments: _theirs, ...connector } = c;
  return { ...defaults, connector };
}

function withOverrides(defaults: BulkDefaults, overrides: BulkOverrides): BulkDefaults {
  return {
    ...defaults,
    ...(overrides.workspaceId ? { workspaceId: overrides.workspaceId } : {}),
    ...(overrides.organizationId ? { organizationId: overrides.organizationId } : {}),
  };
}
