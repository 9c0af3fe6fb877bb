/**
 * The typed API other services import to provision channels: validate, start (or attach to) a provisioning,
 * read its progress, cancel it, await its result.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { idempotencyTag } from '../domain/idempotency';
import { channelKeyOf } from '../domain/offboarding';
import { parseProvisioningInput, type ParsedProvisioningInput } from '../domain/provisioning-input';
import { provisioningWorkflowId } from '../domain/provisioning-identity';
import { refuseWhileOffboarding } from './offboarding-client';
import { provisioningStartOptions } from '../domain/provisioning-start';
import { waitThroughOutages, type OutageOptions } from './outages';
// Type only: the client starts the workflow by its type name and never loads workflow code.
import { WORKFLOW_TYPES, type ProvisionChannelWorkflow } from '../domain/workflow-types';
import {
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
  type ProvisioningProgress,
} from '../domain/provisioning';
import { progressQuery } from '../domain/messages/provisioning';
import { describeOutcome, type FinishedProvisioning, type OutcomeOptions } from './provisioning-outcome';

export {
  describeOutcome,
  cancellationMessage,
  type FinishedProvisioning,
  type OutcomeOptions,
} from './provisioning-outcome';

export interface StartedProvisioning {
  workflowId: string;
  runId: string;
  handle: WorkflowHandle<ProvisionChannelWorkflow>;
}

/**
 * Starts the provisioning of an input the caller parsed (parseProvisioningInput, once): it is not parsed again here.
 * Starting the same identity again (workspace and number, or template and name) attaches to the running
 * provisioning; a new attempt is allowed only after a failed one.
 */
export async function startProvisioning(
  client: Client,
  input: ParsedProvisioningInput,
  opts: { taskQueue: string },
): Promise<StartedProvisioning> {
  return start(client, input, opts, 'USE_EXISTING');
}

/**
 * For a caller that holds raw input: parses it once (throwing InvalidProvisioningInput naming each bad field, before
 * anything starts), starts it, and returns what it parsed with the run.
 */
export async function parseAndStartProvisioning(
  client: Client,
  raw: unknown,
  opts: { taskQueue: string },
): Promise<StartedProvisioning & { input: ParsedProvisioningInput }> {
  const input = parseProvisioningInput(raw);
  return { ...(await startProvisioning(client, input, opts)), input };
}

/** FAIL instead of USE_EXISTING tells the caller whether this start made the run (attachOrStart says which). */
async function start(
  client: Client,
  input: ParsedProvisioningInput,
  opts: { taskQueue: string },
  conflictPolicy: 'USE_EXISTING' | 'FAIL',
): Promise<StartedProvisioning> {
  await refuseWhileOffboarding(client, channelKeyOf(input));
  // The run's connector tag, drawn here and set at start (free) instead of upserted by the run.
  const { workflowId, ...options } = provisioningStartOptions(input, idempotencyTag(randomUUID()));
  const handle = await client.workflow.start<ProvisionChannelWorkflow>(WORKFLOW_TYPES.provisionChannel, {
    taskQueue: opts.taskQueue,
    workflowId,
    // options.args: the parsed input, defaults applied: the run keeps exactly these values even if a default changes.
    workflowIdConflictPolicy: conflictPolicy,
    ...options,
  });
  return { workflowId, runId: handle.firstExecutionRunId, handle: handle as WorkflowHandle<ProvisionChannelWorkflow> };
}

/**
 * What happens to a provisioning request for a number, without ever starting a second run beside a completed one:
 * - `started`: a new run (the first, or a new attempt after a failed/cancelled one: `previous` says how it ended);
 * - `attached`: a run for this number is in progress; this is it;
 * - `already-provisioned`: it completed before; its result is returned and nothing starts (a new attempt is only
 *   allowed after a failure, ALLOW_DUPLICATE_FAILED_ONLY).
 */
export type AttachOrStart =
  | (StartedProvisioning & { kind: 'started'; previous?: FinishedProvisioning['status'] })
  | (StartedProvisioning & { kind: 'attached'; startedAt: Date })
  | {
      kind: 'already-provisioned';
      workflowId: string;
      runId: string;
      completedAt?: Date;
      result: ProvisionChannelResult;
    };

/** `input` is what the door parsed (parseProvisioningInput), once: it is not parsed again here. */
export async function attachOrStart(
  client: Client,
  input: ParsedProvisioningInput,
  opts: { taskQueue: string },
): Promise<AttachOrStart> {
  const workflowId = provisioningWorkflowId(input);
  const handle = client.workflow.getHandle<ProvisionChannelWorkflow>(workflowId);
  // Refused first: a completed provisioning whose channel is being offboarded is no channel to report.
  await refuseWhileOffboarding(client, channelKeyOf(input));
  // Two rounds at most: a run that fails between our start and our look allows a new attempt at once.
  for (let round = 0; ; round++) {
    const before = await describeIfAny(client, workflowId);
    if (before?.status.name === 'COMPLETED') return alreadyProvisioned(client, workflowId);
    try {
      const started = await start(client, input, opts, 'FAIL');
      return {
        ...started,
        kind: 'started',
        previous:
          before && before.status.name !== 'RUNNING'
            ? (before.status.name as FinishedProvisioning['status'])
            : undefined,
      };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    // Someone else's start won (a run in progress, or one that completed meanwhile): attach to it or report it.
    const now = await describeIfAny(client, workflowId);
    if (now?.status.name === 'RUNNING')
      return { kind: 'attached', workflowId, runId: now.runId, handle, startedAt: now.startTime };
    if (now?.status.name === 'COMPLETED' || round >= 1) return alreadyProvisioned(client, workflowId);
  }
}

function describeIfAny(client: Client, workflowId: string) {
  return client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    });
}

async function alreadyProvisioned(client: Client, workflowId: string): Promise<AttachOrStart> {
  const outcome = await describeOutcome(client, workflowId);
  if (outcome?.status !== 'COMPLETED')
    throw new Error(`${workflowId} cannot start: its latest run is ${outcome?.status ?? 'RUNNING'}`);
  return {
    kind: 'already-provisioned',
    workflowId,
    runId: outcome.runId,
    completedAt: outcome.closedAt,
    result: outcome.result,
  };
}

/**
 * The run's progress as the workflow reports it (a worker answers the query). With timeoutMs, gives up after that
 * long (no worker polling, or none answering) instead of waiting for the server's own deadline.
 */
export async function getProgress(
  client: Client,
  workflowId: string,
  opts: { timeoutMs?: number; runId?: string } = {},
): Promise<ProvisioningProgress> {
  const query = () => client.workflow.getHandle(workflowId, opts.runId).query(progressQuery);
  return opts.timeoutMs === undefined ? query() : client.withDeadline(Date.now() + opts.timeoutMs, query);
}

/**
 * Requests cancellation (the run then deletes its connector). A run that has already finished cannot be cancelled
 * (the server would accept the request and do nothing): its outcome is returned instead.
 */
export async function cancelProvisioning(
  client: Client,
  workflowId: string,
): Promise<{ requested: true; runId: string } | { requested: false; finished: FinishedProvisioning }> {
  const description = await client.workflow.getHandle(workflowId).describe();
  if (description.status.name !== 'RUNNING') {
    const finished = await describeOutcome(client, workflowId);
    if (finished) return { requested: false, finished };
  }
  await client.workflow.getHandle(workflowId, description.runId).cancel();
  return { requested: true, runId: description.runId };
}

/** What awaitResult resolves to: the run's result, or why there is none (how it ended is awaitOutcome's answer). */
export type AwaitedResult =
  { ok: true; result: ProvisionChannelResult } | { ok: false; reason: string; details?: ProvisioningFailureDetails };

/**
 * Waits for the provisioning to finish and returns how it ended (see describeOutcome). The wait outlasts a restart of
 * the Temporal server (src/client/outages.ts).
 */
export async function awaitOutcome(
  client: Client,
  workflowId: string,
  opts: OutcomeOptions & OutageOptions = {},
): Promise<FinishedProvisioning> {
  await waitThroughOutages(() => client.workflow.getHandle(workflowId).result(), opts).catch((err: unknown) => {
    // How it ended is read below, the same way for every ending.
    if (!(err instanceof WorkflowFailedError)) throw err;
  });
  const outcome = await describeOutcome(client, workflowId, opts);
  if (!outcome) throw new Error(`${workflowId} is running again (a new attempt started meanwhile)`);
  return outcome;
}

/**
 * Waits for the provisioning to finish and returns either its result or a one-line reason with the details; for a
 * cancelled run, what its compensation undid (a cancellation itself carries no details).
 */
export async function awaitResult(client: Client, workflowId: string): Promise<AwaitedResult> {
  const outcome = await awaitOutcome(client, workflowId);
  if (outcome.status === 'COMPLETED') return { ok: true, result: outcome.result };
  return { ok: false, reason: outcome.reason, details: 'details' in outcome ? outcome.details : undefined };
}
