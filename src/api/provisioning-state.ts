/**
 * A provisioning as the HTTP API shows it: running with its stage and progress, or how it ended (result, or reason
 * with what was undone and left): the HTTP mapping of the client's one reading (readProvisioning).
 */
import type { Client } from '@temporalio/client';
import type { FinishedProvisioning } from '../client/provisioning-client';
import { readProvisioning } from '../client/read-provisioning';
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
  const reading = await readProvisioning(client, workflowId, { queryTimeoutMs }).catch((err: unknown) => {
    if (isNotFound(err)) throw notFound('such provisioning');
    throw err;
  });
  if (reading.kind === 'finished') return finishedState(reading.finished);
  const { runId, progress } = reading;
  if (progress) return { workflowId, runId, status: 'running', stage: progress.stage, ...ids(progress), progress };
  if (progressOptional) return { workflowId, runId, status: 'running' };
  throw new ApiError(
    503,
    'no-worker',
    `no worker answered within ${queryTimeoutMs} ms; the provisioning goes on`,
    undefined,
    5,
  );
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
