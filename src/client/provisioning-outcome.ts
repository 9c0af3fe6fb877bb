/**
 * How a finished provisioning ended, in words and data: its result, its failure with what was undone, or (for a
 * cancelled run, whose failure carries nothing) what its compensation undid, from the worker's `progress` query
 * when a worker answers quickly and from the event history otherwise. Needs no worker except to shorten the answer.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { endOfFailure, type ProvisioningEnd } from '../domain/provisioning-outcome';
import { type ProvisionChannelResult, type ProvisioningFailureDetails } from '../domain/provisioning';
import { progressQuery } from '../domain/messages/provisioning';
import { failureMessage } from '../domain/describe';
import { compensationFromHistory } from './compensation-from-history';
import { workflowTaskPollers } from './task-queue-pollers';

interface Closed {
  workflowId: string;
  runId: string;
  closedAt?: Date;
}

/** A provisioning's end (domain/provisioning-outcome), with what a cancelled run's compensation undid. */
export type FinishedProvisioning = Closed &
  (
    | Exclude<ProvisioningEnd, { status: 'CANCELLED' }>
    | { status: 'CANCELLED'; reason: string; details: ProvisioningFailureDetails; detailsFrom: 'worker' | 'history' }
  );

export interface OutcomeOptions {
  /** How long a worker may take to answer the `progress` query of a cancelled run before the history is read. */
  queryTimeoutMs?: number;
}

/** The outcome of the latest run of workflowId, or undefined while it is still running. */
export async function describeOutcome(
  client: Client,
  workflowId: string,
  opts: OutcomeOptions = {},
): Promise<FinishedProvisioning | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  if (description.status.name === 'RUNNING') return undefined;
  const closed: Closed = { workflowId, runId: description.runId, closedAt: description.closeTime };
  const handle = client.workflow.getHandle(workflowId, description.runId, { followRuns: false });
  let end: ProvisioningEnd;
  try {
    end = { status: 'COMPLETED', result: (await handle.result()) as ProvisionChannelResult };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    end = endOfFailure(err.cause, err.message);
  }
  if (end.status !== 'CANCELLED') return { ...closed, ...end };
  const { details, from } = await compensationOfCancelled(
    client,
    workflowId,
    description.runId,
    description.taskQueue,
    opts,
  );
  return { ...closed, status: 'CANCELLED', reason: cancellationMessage(details), details, detailsFrom: from };
}

/** "cancelled while awaiting-readiness. Undone: deleted connector …." in the words of the workflow's own failures. */
export function cancellationMessage(details: ProvisioningFailureDetails): string {
  return `cancelled while ${details.failedStep}. ${failureMessage(details).replace(/^.*?\. (?=Undone:)/, '')}`;
}

async function compensationOfCancelled(
  client: Client,
  workflowId: string,
  runId: string,
  taskQueue: string,
  opts: OutcomeOptions,
): Promise<{ details: ProvisioningFailureDetails; from: 'worker' | 'history' }> {
  // A query on a closed run is answered by a worker replaying it; without one it would wait for the full deadline.
  const pollers = await workflowTaskPollers(client, taskQueue).catch(() => undefined);
  if (pollers?.live) {
    try {
      const progress = await client.withDeadline(Date.now() + (opts.queryTimeoutMs ?? 5_000), () =>
        client.workflow.getHandle(workflowId, runId).query(progressQuery),
      );
      if (progress.compensation) return { details: progress.compensation, from: 'worker' };
    } catch {
      // No answer in time (or a worker of another build): the history says the same, only slower to read.
    }
  }
  return { details: await compensationFromHistory(client, workflowId, runId), from: 'history' };
}
