/**
 * The contract other services program against, as zod schemas: what a provisioning returns, how it fails, what its
 * `progress` query and a bulk run's `bulkProgress` query answer. The workflows' own types (src/domain/provisioning.ts, bulk-onboarding.ts)
 * stay the source of truth: each schema below is checked at compile time to describe exactly that type, so a field
 * added, renamed or retyped there fails `npm run typecheck` until the schema (and so contracts/*.schema.json, which
 * `npm run contracts` writes from here) says the same.
 */
import { z } from 'zod';
import { ComponentStage, ComponentStatus } from '../bird/schemas';
import { FailureType, INVALID_WORKFLOW_INPUT } from '../domain/failure-types';
import { MAX_INPUT_BYTES, MAX_WORKFLOW_ID_LENGTH, ProvisionChannelInput } from '../domain/provisioning-input';
import type { BulkCounts, BulkProgress } from '../domain/bulk-onboarding';
import {
  PROVISIONING_FAILED,
  type ObservedStatus,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
  type ProvisioningProgress,
} from '../domain/provisioning';

/** Compile-time proof that a schema's type is the workflow's type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** A zod schema checked at compile time to describe exactly the type T (the domain's types stay the source of truth). */
export function describes<T>() {
  return <S extends z.ZodType>(
    schema: S & (Same<z.output<S>, T> extends true ? unknown : { error: 'schema and type differ' }),
  ): S => schema;
}

const IsoTime = z.iso.datetime();

export const ProvisioningStageSchema = z
  .enum([
    'validating',
    'creating-connector',
    'awaiting-readiness',
    'registering-subscriptions',
    'completed',
    'compensating',
    'failed',
    'cancelled',
  ])
  .meta({ id: 'ProvisioningStage' });

export const ProvisioningFailureDetailsSchema = describes<ProvisioningFailureDetails>()(
  z
    .object({
      failedStep: ProvisioningStageSchema,
      reason: z.string(),
      createOutcome: z.enum(['not-sent', 'refused', 'created', 'unknown']).meta({
        description:
          'not-sent/refused: Bird made no connector; created: deleted by id; unknown: looked up by its idempotency tag',
      }),
      connectorId: z.string().optional(),
      undone: z.array(z.string()),
      compensationFailures: z.array(z.string()),
      leftBehind: z
        .array(z.string())
        .meta({ description: 'what compensation could not undo (empty when fully compensated)' }),
    })
    .meta({
      id: 'ProvisioningFailureDetails',
      description:
        'details[0] of a ProvisioningFailed failure; also progress.compensation of a failed or cancelled run',
    }),
);

export const ProvisionChannelResultSchema = describes<ProvisionChannelResult>()(
  z
    .object({
      workflowId: z.string(),
      connectorId: z.string(),
      channelId: z.string(),
      adopted: z
        .boolean()
        .meta({ description: 'the create reply was lost and the connector was recognised by its idempotency tag' }),
      finalStatus: z.object({ status: ComponentStatus, stage: ComponentStage }),
      subscriptionIds: z.array(z.string()),
      statusPolls: z.number().int(),
      readinessSource: z.enum(['poll', 'webhook']),
      timings: z.object({
        startedAt: IsoTime,
        connectorCreatedAt: IsoTime,
        readyAt: IsoTime,
        completedAt: IsoTime,
        readinessWaitMs: z.number(),
        totalMs: z.number(),
      }),
    })
    .meta({ id: 'ProvisionChannelResult', description: 'the result of a completed provisionChannel run' }),
);

const ObservedStatusSchema = describes<ObservedStatus>()(
  z.object({
    status: ComponentStatus.nullable().optional(),
    stage: ComponentStage.nullable().optional(),
    errorMessage: z.string().nullable().optional(),
    source: z.enum(['poll', 'webhook']),
    at: IsoTime,
  }),
);

export const ProvisioningProgressSchema = describes<ProvisioningProgress>()(
  z
    .object({
      stage: ProvisioningStageSchema,
      connectorId: z.string().optional(),
      channelId: z.string().optional(),
      adopted: z.boolean(),
      statusPolls: z.number().int(),
      statusReports: z.number().int(),
      lastStatus: ObservedStatusSchema.optional(),
      lastError: z.string().optional(),
      subscriptionIds: z.array(z.string()),
      compensation: ProvisioningFailureDetailsSchema.optional(),
    })
    .meta({ id: 'ProvisioningProgress', description: "the answer of provisionChannel's `progress` query" }),
);

export const BulkCountsSchema = describes<BulkCounts>()(
  z.object({
    active: z.number().int(),
    alreadyActive: z.number().int(),
    failed: z.number().int(),
    compensated: z.number().int(),
    cancelled: z.number().int(),
    notStarted: z.number().int(),
  }),
);

export const BulkProgressSchema = describes<BulkProgress>()(
  z
    .object({
      stage: z.enum(['indexing', 'onboarding', 'cancelling', 'completed', 'cancelled']),
      bulkKey: z.string(),
      runKey: z.string(),
      workspaceId: z.string(),
      source: z.string(),
      total: z.number().int(),
      invalid: z.number().int(),
      pending: z.number().int(),
      running: z.number().int(),
      window: z.number().int().optional().meta({
        description: 'provisionings the window holds now (it adapts when the run was started with a maximum)',
      }),
      counts: BulkCountsSchema,
      startedAt: IsoTime,
      finishedAt: IsoTime.optional(),
      continuedAsNew: z.number().int(),
    })
    .meta({
      id: 'BulkProgress',
      description: "the answer of bulkOnboard's `bulkProgress` query (and its result's `progress`)",
    }),
);

/** Every failure type a caller can meet, and what to do about it (docs/callers.md says the same in prose). */
export const CALLER_FAILURE_TYPES = {
  [PROVISIONING_FAILED]:
    'the run failed and compensated; details[0] is ProvisioningFailureDetails. Fix the cause, then start again (a new attempt is allowed after a failure).',
  [INVALID_WORKFLOW_INPUT]:
    'the input was refused before anything was made; details[0] lists "field: reason" strings. Fix those fields and start again.',
  [FailureType.rejected]: 'Bird refused a request (4xx): a cause of ProvisioningFailed; not retried.',
  [FailureType.connectorAlreadyExists]:
    'Bird already has a connector for this number that is not ours: a cause of ProvisioningFailed; it was left untouched.',
  [FailureType.channelFailed]: 'the channel ended in an error status: a cause of ProvisioningFailed.',
  [FailureType.secretNotFound]: 'a secret reference is not configured on the worker: a cause of ProvisioningFailed.',
  [FailureType.beingOffboarded]:
    "the number's offboarding was running when the create was due: a cause of ProvisioningFailed; nothing was sent to Bird. Start again once the offboarding has finished.",
} as const;

export const ProvisioningFailureSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal(PROVISIONING_FAILED),
      message: z.string().meta({ description: 'what failed, what was undone and what was left, in one line' }),
      nonRetryable: z.literal(true),
      details: z.array(ProvisioningFailureDetailsSchema).length(1),
    }),
    z.object({
      type: z.literal(INVALID_WORKFLOW_INPUT),
      message: z.string(),
      nonRetryable: z.literal(true),
      details: z.array(z.array(z.string()).meta({ description: '"field: reason", one per bad field' })).length(1),
    }),
  ])
  .meta({
    id: 'ProvisioningFailure',
    description: `The ApplicationFailure a provisionChannel run fails with (the workflow failure's cause). A cancelled run ends CANCELLED instead; its compensation is in the progress query's "compensation". Types: ${Object.entries(
      CALLER_FAILURE_TYPES,
    )
      .map(([type, what]) => `${type}: ${what}`)
      .join(' ')}`,
  });

/** The provisioning input as callers write it: durations may be strings, every field with a default may be left out. */
export const ProvisioningInputSchema = ProvisionChannelInput.meta({
  description: `Checked by the server beyond this schema (JSON Schema cannot say it): the whole input at most ${MAX_INPUT_BYTES} bytes as JSON; a workflow id of at most ${MAX_WORKFLOW_ID_LENGTH} characters (for a template without a phone number, "provision/<workspaceId>/<connectorTemplateRef>/" and the URI-encoded connector.name); the bounds of a duration written as a string; readiness.maxPollInterval not smaller than readiness.initialPollInterval.`,
});
