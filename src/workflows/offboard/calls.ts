/**
 * The activities an offboarding calls, as its workflow sees them: Bird reads and writes on their rate-limited queues
 * keyed by workspace (src/bird/rate-limits/queues.ts), the provisioning's record on the workflow's own queue.
 */
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { birdCallRouting } from '../../bird/rate-limits/queues';
import { NON_RETRYABLE_FAILURE_TYPES } from '../../domain/failure-types';
import { compensationOptions, HEARTBEAT_TIMEOUT, lookupOptions } from '../activity-options';

const nonRetryableErrorTypes = NON_RETRYABLE_FAILURE_TYPES;

/** Waiting for a running provisioning to be cancelled and compensated: its compensation never gives up either. */
const stopProvisioningOptions: ActivityOptions = {
  startToCloseTimeout: '1h',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes },
};

/** Confirmation reads after a delete: one status GET per attempt, with backoff, up to the run's deadline. */
function confirmOptions(deadlineMs: number): ActivityOptions {
  return {
    startToCloseTimeout: '30s',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: deadlineMs,
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s', nonRetryableErrorTypes },
  };
}

export function offboardActivities(workspaceId: string, confirmDeadlineMs: number) {
  const { reads, writes } = birdCallRouting(workflowInfo().taskQueue, workspaceId);
  const { stopProvisioning } = proxyActivities<Activities>(stopProvisioningOptions);
  const { recordedChannelConnector, channelConnectorsPage } = proxyActivities<Activities>({
    ...lookupOptions,
    ...reads,
  });
  const { confirmConnectorGone } = proxyActivities<Activities>({ ...confirmOptions(confirmDeadlineMs), ...reads });
  const { deleteConnector } = proxyActivities<Activities>({ ...compensationOptions, ...writes });
  return { stopProvisioning, recordedChannelConnector, channelConnectorsPage, confirmConnectorGone, deleteConnector };
}
