/**
 * The typed API other services import to provision channels: validate, start (or attach to) a provisioning,
 * read its progress, cancel it, await its result.
 */
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { parseProvisioningInput, phoneNumberIdOf, provisioningWorkflowId, type ProvisionChannelInputRaw } from '../domain/provisioning-input';
import * as sa from '../domain/search-attributes';
import type { provisionChannel } from '../workflows';
import { progressQuery, type ProvisionChannelResult, type ProvisioningFailureDetails, type ProvisioningProgress } from '../workflows/definitions';

export interface StartedProvisioning {
  workflowId: string;
  runId: string;
  handle: WorkflowHandle<typeof provisionChannel>;
}

/**
 * Validates the input (throwing InvalidProvisioningInput naming each bad field, before anything starts) and starts
 * the workflow. Starting the same workspace+number again attaches to the running provisioning; a new attempt is
 * allowed only after a failed one.
 */
export async function startProvisioning(client: Client, rawInput: unknown, opts: { taskQueue: string }): Promise<StartedProvisioning> {
  const input = parseProvisioningInput(rawInput);
  const workflowId = provisioningWorkflowId(input);
  const phoneNumberId = phoneNumberIdOf(input);
  const handle = await client.workflow.start('provisionChannel', {
    taskQueue: opts.taskQueue,
    workflowId,
    // Pass what the caller wrote: the workflow validates it again and applies the same defaults.
    args: [rawInput as ProvisionChannelInputRaw],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    typedSearchAttributes: [
      { key: sa.BirdWorkspaceId, value: input.workspaceId },
      ...(phoneNumberId ? [{ key: sa.BirdPhoneNumberId, value: phoneNumberId }] : []),
      { key: sa.ProvisioningStage, value: 'validating' },
    ],
    staticSummary: `Provision ${input.connector.connectorTemplateRef} channel "${input.connector.name}"`,
    staticDetails: [
      `workspace: ${input.workspaceId}`,
      phoneNumberId ? `phone number id: ${phoneNumberId}` : undefined,
      `readiness: ${input.readiness.mode}, deadline ${input.readiness.deadline} ms`,
      `subscriptions: ${input.subscriptions.length}`,
    ]
      .filter(Boolean)
      .join('\n'),
  });
  return { workflowId, runId: handle.firstExecutionRunId, handle: handle as WorkflowHandle<typeof provisionChannel> };
}

export async function getProgress(client: Client, workflowId: string): Promise<ProvisioningProgress> {
  return client.workflow.getHandle(workflowId).query(progressQuery);
}

export async function cancelProvisioning(client: Client, workflowId: string): Promise<void> {
  await client.workflow.getHandle(workflowId).cancel();
}

export type ProvisioningOutcome =
  | { ok: true; result: ProvisionChannelResult }
  | { ok: false; reason: string; details?: ProvisioningFailureDetails };

/** Waits for the provisioning to finish and returns either its result or a one-line reason with the details. */
export async function awaitResult(client: Client, workflowId: string): Promise<ProvisioningOutcome> {
  try {
    const result = (await client.workflow.getHandle(workflowId).result()) as ProvisionChannelResult;
    return { ok: true, result };
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause as { message?: string; details?: unknown[] } | undefined;
      const details = cause?.details?.[0] as ProvisioningFailureDetails | undefined;
      return { ok: false, reason: cause?.message ?? err.message, details: details && typeof details === 'object' && 'failedStep' in details ? details : undefined };
    }
    throw err;
  }
}
