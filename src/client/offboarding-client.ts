/**
 * The typed API of offboarding: validate, start (or attach to the running one for that number), await the report.
 * Also the other half of "two operations on one number never interleave": a provisioning is refused while the
 * number's offboarding runs (refuseWhileOffboarding, called by every provisioning start of the client).
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  beingOffboardedMessage,
  channelLabel,
  offboardWorkflowId,
  parseOffboardInput,
  type ChannelKey,
  type OffboardInput,
  type OffboardInputRaw,
  type OffboardResult,
} from '../domain/offboarding';
import * as sa from '../domain/search-attributes';
import { WORKFLOW_TYPES, type OffboardChannelWorkflow } from '../domain/workflow-types';

export interface StartedOffboarding {
  workflowId: string;
  runId: string;
  handle: WorkflowHandle<OffboardChannelWorkflow>;
}

/** How every door starts an offboarding: one per channel, a second start attaches to the running one. */
export function offboardingStartOptions(input: OffboardInput) {
  return {
    workflowId: offboardWorkflowId(input),
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    typedSearchAttributes: [
      { key: sa.BirdWorkspaceId, value: input.workspaceId },
      ...(input.phoneNumberId ? [{ key: sa.BirdPhoneNumberId, value: input.phoneNumberId }] : []),
      { key: sa.ProvisioningStage, value: 'offboarding' },
    ],
    staticSummary: `Offboard ${channelLabel(input)} from workspace ${input.workspaceId}`,
  };
}

/** Validates (InvalidOffboardInput names each bad field) and starts; a second start attaches to the running one. */
export async function startOffboarding(
  client: Client,
  raw: OffboardInputRaw,
  opts: { taskQueue: string },
): Promise<StartedOffboarding> {
  const input = parseOffboardInput(raw);
  const { workflowId, ...options } = offboardingStartOptions(input);
  const handle = await client.workflow.start<OffboardChannelWorkflow>(WORKFLOW_TYPES.offboardChannel, {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [input],
    ...options,
  });
  return { workflowId, runId: handle.firstExecutionRunId, handle };
}

/** Offboards and returns the report. */
export async function offboard(
  client: Client,
  raw: OffboardInputRaw,
  opts: { taskQueue: string },
): Promise<OffboardResult> {
  const { handle } = await startOffboarding(client, raw, opts);
  return handle.result();
}

export class ProvisioningRefused extends Error {
  constructor(
    message: string,
    readonly offboardingWorkflowId: string,
  ) {
    super(message);
    this.name = 'ProvisioningRefused';
  }
}

/**
 * A provisioning started while the number's offboarding runs is refused with the reason, not queued: the caller
 * asked for a channel that is being taken away, and should decide again once the offboarding has finished.
 */
/** The workflow id of the channel's offboarding while it runs; undefined when none does. */
export async function runningOffboarding(client: Client, key: ChannelKey): Promise<string | undefined> {
  const workflowId = offboardWorkflowId(key);
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? workflowId : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

export async function refuseWhileOffboarding(client: Client, key: ChannelKey): Promise<void> {
  const workflowId = await runningOffboarding(client, key);
  if (workflowId) throw new ProvisioningRefused(beingOffboardedMessage(key, workflowId), workflowId);
}
