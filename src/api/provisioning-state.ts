/**
 * A provisioning as the HTTP API shows it: running with its stage and progress, or how it ended (result, or reason
 * with what was undone and left), read through the typed client (the `progress` query, the run's outcome).
 */
import type { Client } from '@temporalio/client';
import { describeOutcome, getProgress, type FinishedProvisioning } from '../client/provisioning-client';
import type {
  ProvisionChannelResult,
  ProvisioningFailureDetails,
  ProvisioningProgress,
  ProvisioningStage,
} from '../domain/provisioning';
import { ApiError, isNotFound, notFound } from './errors';

export interface ProvisioningState {
  workflowId: string;
  runId: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed-out';
  stage?: ProvisioningStage;
  connectorId?: string;
  channelId?: string;
  result?: ProvisionChannelResult;
  failure?: { type?: string; reason: string; details?: ProvisioningFailureDetails };
  undone?: string[];
  leftBehind?: string[];
  progress?: ProvisioningProgress;
}

/** With `progressOptional`, a running run whose worker does not answer in time is shown without its progress (not 503). */
export async function provisioningState(
  client: Client,
  workflowId: string,
  queryTimeoutMs: number,
  progressOptional = false,
): Promise<ProvisioningState> {
  let description;
  try {
    description = await client.withDeadline(Date.now() + queryTimeoutMs, () =>
      client.workflow.getHandle(workflowId).describe(),
    );
  } catch (err) {
    if (isNotFound(err)) throw notFound('such provisioning');
    throw err;
  }
  if (description.status.name === 'RUNNING') {
    const progress = await getProgress(client, workflowId, {
      timeoutMs: queryTimeoutMs,
      runId: description.runId,
    }).catch(() => {
      if (progressOptional) return undefined;
      throw new ApiError(
        503,
        'no-worker',
        `no worker answered within ${queryTimeoutMs} ms; the provisioning goes on`,
        undefined,
        5,
      );
    });
    if (!progress) return { workflowId, runId: description.runId, status: 'running' };
    return {
      workflowId,
      runId: description.runId,
      status: 'running',
      stage: progress.stage,
      ...ids(progress),
      progress,
    };
  }
  const finished = await describeOutcome(client, workflowId, { queryTimeoutMs });
  if (!finished) return provisioningState(client, workflowId, queryTimeoutMs);
  return finishedState(finished);
}

export function finishedState(f: FinishedProvisioning): ProvisioningState {
  const base = { workflowId: f.workflowId, runId: f.runId };
  switch (f.status) {
    case 'COMPLETED':
      return {
        ...base,
        status: 'completed',
        stage: 'completed',
        connectorId: f.result.connectorId,
        channelId: f.result.channelId,
        result: f.result,
      };
    case 'FAILED':
    case 'CANCELLED': {
      const details = f.details;
      return {
        ...base,
        status: f.status === 'FAILED' ? 'failed' : 'cancelled',
        stage: f.status === 'FAILED' ? 'failed' : 'cancelled',
        ...(details?.connectorId ? { connectorId: details.connectorId } : {}),
        failure: {
          ...(details && f.status === 'FAILED' ? { type: 'ProvisioningFailed' } : {}),
          reason: f.reason,
          ...(details ? { details } : {}),
        },
        ...(details ? { undone: details.undone, leftBehind: details.leftBehind } : {}),
      };
    }
    default:
      return { ...base, status: f.status === 'TERMINATED' ? 'terminated' : 'timed-out', failure: { reason: f.reason } };
  }
}

function ids(p: ProvisioningProgress): Pick<ProvisioningState, 'connectorId' | 'channelId'> {
  return {
    ...(p.connectorId ? { connectorId: p.connectorId } : {}),
    ...(p.channelId ? { channelId: p.channelId } : {}),
  };
}
