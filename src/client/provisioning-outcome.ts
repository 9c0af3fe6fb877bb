/**
 * How a finished provisioning ended, in words and data: its result, its failure with what was undone, or (for a
 * cancelled run, whose failure carries nothing) what its compensation undid, from the worker's `progress` query
 * when a worker answers quickly and from the event history otherwise. Needs no worker except to shorten the answer.
 */
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import {
  progressQuery,
  PROVISIONING_FAILED,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
} from '../workflows/definitions';
import { failureMessage } from '../workflows/describe';
import { compensationFromHistory } from './compensation-from-history';
import { workflowTaskPollers } from './task-queue-pollers';

interface Closed {
  workflowId: string;
  runId: string;
  closedAt?: Date;
}

export type FinishedProvisioning = Closed &
  (
    | { status: 'COMPLETED'; result: ProvisionChannelResult }
    | { status: 'FAILED'; reason: string; details?: ProvisioningFailureDetails }
    | { status: 'CANCELLED'; reason: string; details: ProvisioningFailureDetails; detailsFrom: 'worker' | 'history' }
    | { status: 'TERMINATED' | 'TIMED_OUT'; reason: string }
  );

export interface OutcomeOptions {
  /** How long a worker may take to answer the `progress` query of a cancelled run before the history is read. */
  queryTimeoutMs?: number;
}

/** The outcome of the latest run of workflowId, or undefined while it is still running. */
export async function describeOutcome(client: Client, workflowId: string, opts: OutcomeOptions = {}): Promise<FinishedProvisioning | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  if (description.status.name === 'RUNNING') return undefined;
  const closed: Closed = { workflowId, runId: description.runId, closedAt: description.closeTime };
  const handle = client.workflow.getHandle(workflowId, description.runId, { followRuns: false });
  try {
    return { ...closed, status: 'COMPLETED', result: (await handle.result()) as ProvisionChannelResult };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof CancelledFailure) {
      const { details, from } = await compensationOfCancelled(client, workflowId, description.runId, description.taskQueue, opts);
      return { ...closed, status: 'CANCELLED', reason: cancellationMessage(details), details, detailsFrom: from };
    }
    if (cause instanceof TerminatedFailure) return { ...closed, status: 'TERMINATED', reason: `terminated: ${cause.message || 'no reason given'}` };
    if (cause instanceof TimeoutFailure) return { ...closed, status: 'TIMED_OUT', reason: 'timed out (the workflow execution timeout passed)' };
    // Decoded by the failure's type, not by the shape of its details.
    if (cause instanceof ApplicationFailure && cause.type === PROVISIONING_FAILED) {
      return { ...closed, status: 'FAILED', reason: cause.message, details: cause.details?.[0] as ProvisioningFailureDetails | undefined };
    }
    return { ...closed, status: 'FAILED', reason: cause?.message ?? err.message };
  }
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
