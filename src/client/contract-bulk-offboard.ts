/**
 * The contract of bulk offboarding, as zod schemas: the request the doors take (src/client/bulk-offboard-request.ts),
 * the run's progress (its `bulkOffboardProgress` query), its result and a report line. As in contract-schemas.ts, the
 * domain's types stay the source of truth: each schema is checked at compile time to describe exactly that type.
 */
import { z } from 'zod';
import type { OffboardReportRow } from '../bulk/offboard-file';
import {
  BULK_OFFBOARD_OUTCOMES,
  type BulkOffboardOutcome,
  type BulkOffboardProgress,
  type BulkOffboardResult,
} from '../domain/bulk-offboarding';
import { BulkOffboardRequest } from './bulk-offboard-request';
import { describes } from './contract-schemas';

export const BulkOffboardRequestSchema = BulkOffboardRequest;

const Outcome = z.enum(BULK_OFFBOARD_OUTCOMES as [BulkOffboardOutcome, ...BulkOffboardOutcome[]]).meta({
  id: 'BulkOffboardOutcome',
  description:
    "offboarded, already-absent, foreign-left-untouched: the row's offboardChannel report; failed (with the reason), cancelled, not-started: retry them (`--retry-failed`)",
});

export const BulkOffboardProgressSchema = describes<BulkOffboardProgress>()(
  z
    .object({
      stage: z.enum(['offboarding', 'cancelling', 'completed', 'cancelled']),
      workspaceId: z.string(),
      total: z.number().int(),
      pending: z.number().int(),
      running: z.number().int(),
      window: z.number().int(),
      counts: z.record(Outcome, z.number().int()),
      startedAt: z.string(),
      finishedAt: z.string().optional(),
      continuedAsNew: z.number().int(),
    })
    .meta({ id: 'BulkOffboardProgress', description: 'the progress of a bulkOffboard run' }),
);

export const BulkOffboardResultSchema = describes<BulkOffboardResult>()(
  z
    .object({
      progress: BulkOffboardProgressSchema,
      results: z
        .array(
          z.object({
            row: z.number().int(),
            outcome: Outcome,
            workflowId: z.string(),
            deleted: z.array(z.string()).optional(),
            foreign: z.array(z.string()).optional(),
            leftBehind: z.array(z.string()).optional(),
            reason: z.string().optional(),
          }),
        )
        .optional()
        .meta({ description: 'each row’s result, for a run whose input carried its rows' }),
      stored: z.object({ bulkKey: z.string(), runKey: z.string() }).optional().meta({
        description: 'where the bulk store holds the rows and their results (the doors read the report there)',
      }),
    })
    .meta({ id: 'BulkOffboardResult', description: 'the result of a bulkOffboard run' }),
);

export const OffboardReportRowSchema = describes<OffboardReportRow>()(
  z
    .object({
      line: z.string(),
      phoneNumberId: z.string(),
      connectorTemplateRef: z.string(),
      name: z.string(),
      outcome: z.string(),
      workflowId: z.string(),
      deleted: z.string(),
      foreign: z.string(),
      leftBehind: z.string(),
      reason: z.string(),
    })
    .meta({
      id: 'BulkOffboardReportLine',
      description:
        'a line of the report, as `starter bulk-offboard --report` writes it: the row of the file, its outcome, the connectors deleted and foreign (space-separated ids), the webhook subscriptions left',
    }),
);
