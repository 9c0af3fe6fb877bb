/**
 * The typed API other services import to provision channels: validate, start (or attach to) a provisioning,
 * read its progress, cancel it, await its result.
 */
import { ApplicationFailure, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { parseProvisioningInput } from '../domain/provisioning-input';
import { provisioningStartOptions } from '../domain/provisioning-start';
import { provisionChannel } from '../workflows';
import {
  progressQuery,
  PROVISIONING_FAILED,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
  type ProvisioningProgress,
} from '../workflows/definitions';

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
  const { workflowId, ...options } = provisioningStartOptions(input);
  const handle = await client.workflow.start(provisionChannel, {
    taskQueue: opts.taskQueue,
    workflowId,
    // The parsed input, defaults applied: the run keeps exactly these values even if a default changes later.
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    ...options,
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
      const cause = err.cause;
      // Decoded by the failure's type, not by the shape of its details.
      if (cause instanceof ApplicationFailure && cause.type === PROVISIONING_FAILED) {
        return { ok: false, reason: cause.message, details: cause.details?.[0] as ProvisioningFailureDetails | undefined };
      }
      return { ok: false, reason: cause?.message ?? err.message };
    }
    throw err;
  }
}
