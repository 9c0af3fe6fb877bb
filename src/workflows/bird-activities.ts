/**
 * The activities that call Bird, as a workflow sees them, each routed to its rate-limited Bird queue with its
 * workspace as fairness key (src/bird/rate-limits/queues.ts).
 *
 * One proxy per set of options: executeWithOptions deep-merges its overrides (summaries, the readiness backoff) into
 * these, so a retry policy must never be inherited from another kind of call. Built per run: the queues derive from
 * the run's own task queue.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { birdCallRouting } from '../bird/rate-limits/queues';
import {
  compensationOptions,
  createOptions,
  finalStatusReadOptions,
  lookupOptions,
  readinessPollOptions,
  reconcileDeleteOptions,
} from './activity-options';

export function birdActivities(workspaceId: string) {
  const { reads, writes } = birdCallRouting(workflowInfo().taskQueue, workspaceId);
  const { createConnector, createChannelSubscription, createWorkspaceSubscription } = proxyActivities<Activities>({
    ...createOptions,
    ...writes,
  });
  const { deleteConnector } = proxyActivities<Activities>({ ...compensationOptions, ...writes });
  const { findOwnConnector, indexConnectorsPage, auditConnectorsPage } = proxyActivities<Activities>({
    ...lookupOptions,
    ...reads,
  });
  const { deleteConnector: deleteOrphanConnector } = proxyActivities<Activities>({
    ...reconcileDeleteOptions,
    ...writes,
  });
  const { getChannelReadiness } = proxyActivities<Activities>({ ...finalStatusReadOptions, ...reads });
  // The readiness backoff is set per call (executeWithOptions); these are placeholders it overrides.
  const { awaitChannelActive } = proxyActivities<Activities>({
    ...readinessPollOptions({ initialMs: 2_000, coefficient: 2, maxMs: 60_000, remainingMs: 30 * 60_000 }),
    ...reads,
  });
  return {
    createConnector,
    createChannelSubscription,
    createWorkspaceSubscription,
    deleteConnector,
    deleteOrphanConnector,
    findOwnConnector,
    indexConnectorsPage,
    auditConnectorsPage,
    getChannelReadiness,
    awaitChannelActive,
  };
}
