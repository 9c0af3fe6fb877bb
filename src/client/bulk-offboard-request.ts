/**
 * A bulk offboarding as a door receives it (the HTTP API's body, the Nexus operation's input): the workspace and either
 * the file's text (read by the CLI's own reader, src/bulk/offboard-file.ts, so a line is refused with the same
 * number) or its rows as data (row N is line N). One schema for both doors and for the contract (contracts/).
 */
import { z } from 'zod';
import type { FieldProblem } from '../base/problems';
import { InvalidFields, parseFields } from '../base/zod-issues';
import { parseOffboardFile } from '../bulk/offboard-file';
import {
  DEFAULT_OFFBOARD_CONCURRENCY,
  MAX_OFFBOARD_CONCURRENCY,
  type BulkOffboardRow,
} from '../domain/bulk-offboarding';

/** Rows a request may carry as data: one payload, far below the 2 MB Temporal and Nexus allow. */
export const MAX_REQUEST_ROWS = 20_000;

export const BulkOffboardRequest = z
  .strictObject({
    workspaceId: z.string().meta({ description: 'the Bird workspace' }),
    file: z.string().optional().meta({
      description:
        "the file's text: a phone-number id a line, or a CSV with a phoneNumberId column, or connectorTemplateRef and name columns",
    }),
    rows: z
      .array(
        z.strictObject({
          phoneNumberId: z.string().optional(),
          connectorTemplateRef: z.string().optional(),
          name: z.string().optional(),
        }),
      )
      .min(1)
      .max(MAX_REQUEST_ROWS)
      .optional()
      .meta({
        description: 'the rows as data, instead of file: each a phoneNumberId, or a connectorTemplateRef and name',
      }),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(MAX_OFFBOARD_CONCURRENCY)
      .optional()
      .meta({ description: `offboardings at once (default ${DEFAULT_OFFBOARD_CONCURRENCY})` }),
  })
  .meta({
    id: 'BulkOffboardingRequest',
    description: 'a bulk offboarding: the workspace, and file or rows (one of them)',
  });
export type BulkOffboardRequest = z.output<typeof BulkOffboardRequest>;

export class InvalidBulkOffboardRequest extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('bulk offboarding request', problems);
    this.name = 'InvalidBulkOffboardRequest';
  }
}

/**
 * The options startBulkOffboard takes (it then checks every id by field). A file's bad line is an InventoryFileError
 * naming it; a row naming nothing is refused as `rows.N`.
 */
export function bulkOffboardOptionsOf(raw: unknown): {
  workspaceId: string;
  rows: BulkOffboardRow[];
  concurrency?: number;
} {
  const request = parseFields(BulkOffboardRequest, raw, (problems) => new InvalidBulkOffboardRequest(problems));
  if ((request.file === undefined) === (request.rows === undefined))
    throw new InvalidBulkOffboardRequest([{ field: 'file', reason: 'give the file or the rows (one of them)' }]);
  const rows = request.file !== undefined ? parseOffboardFile(request.file, 'file') : rowsOf(request.rows!);
  return {
    workspaceId: request.workspaceId,
    rows,
    ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}),
  };
}

function rowsOf(rows: NonNullable<BulkOffboardRequest['rows']>): BulkOffboardRow[] {
  const problems: FieldProblem[] = [];
  const out = rows.map((r, i): BulkOffboardRow => {
    if (r.phoneNumberId) return { line: i + 1, phoneNumberId: r.phoneNumberId };
    if (r.connectorTemplateRef && r.name)
      return { line: i + 1, connector: { connectorTemplateRef: r.connectorTemplateRef, name: r.name } };
    problems.push({ field: `rows.${i}`, reason: 'give a phoneNumberId, or a connectorTemplateRef and a name' });
    return { line: i + 1 };
  });
  if (problems.length) throw new InvalidBulkOffboardRequest(problems);
  return out;
}
