/**
 * The Nexus operations' own inputs (which provisioning, which stored inventory), checked by field the way every
 * other door checks its input (src/domain/zod-issues.ts). The provisioning input itself is checked by
 * parseProvisioningInput, exactly as for the typed client.
 */
import { z } from 'zod';
import { BULK_LIMITS } from '../client/bulk-client';
import { ExpectedEntry } from '../domain/apply';
import { inventoryNameProblem } from '../domain/plan';
import { provisioningWorkflowId, ProvisioningRefSchema } from '../domain/provisioning-identity';
import { InvalidFields, parseFields } from '../base/zod-issues';
import type { FieldProblem } from '../base/problems';
import type { ApplyRequest, BulkOnboardRequest } from './service';

export class InvalidNexusRequest extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('request', problems);
    this.name = 'InvalidNexusRequest';
  }
}

/** The workflow id of the provisioning a ref names (the same rule as the provisioning's own input). */
export function workflowIdOfRef(raw: unknown): string {
  return provisioningWorkflowId(
    parseFields(ProvisioningRefSchema, raw, (problems) => new InvalidNexusRequest(problems)),
  );
}

const BulkOnboardRequestSchema = z.strictObject({
  bulkKey: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'must be a bulk store key (<workspace>-<16 hex digits>)'),
  concurrency: z.number().int().min(1).max(BULK_LIMITS.maxConcurrency).optional(),
});

export function parseBulkOnboardRequest(raw: unknown): BulkOnboardRequest {
  return parseFields(BulkOnboardRequestSchema, raw, (problems) => new InvalidNexusRequest(problems));
}

const ApplyRequestSchema = z.strictObject({
  inventoryName: z.string().superRefine((name, ctx) => {
    const problem = inventoryNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  defaults: z.record(z.string(), z.unknown()),
  rows: z.array(z.record(z.string(), z.unknown())).min(1).max(20_000),
  prune: z.boolean().optional(),
  refresh: z.boolean().optional(),
  expected: z.array(ExpectedEntry).max(20_000).optional(),
});

export function parseApplyRequest(raw: unknown): ApplyRequest {
  return parseFields(ApplyRequestSchema, raw, (problems) => new InvalidNexusRequest(problems));
}
