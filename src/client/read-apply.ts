/**
 * One reading of an inventory's latest apply for every door: running (and at which stage), or how it ended (its
 * report with the create child's per-row outcomes, or the reason it did not finish and, for a saved plan that no
 * longer held, the differences). Throws the client's WorkflowNotFoundError when the inventory was never applied.
 */
import { ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import type { BulkStore } from '../bulk/store';
import { applyWorkflowId, type ApplyResult } from '../domain/apply';
import { reportOf } from './apply-client';

export type ApplyReading = { workflowId: string; runId: string } & (
  | { status: 'RUNNING' }
  | { status: 'COMPLETED'; result: ApplyResult }
  | {
      status: 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';
      reason: string;
      /** A saved plan's differences from the fresh one, when that is why it failed. */
      differences?: string[];
    }
);

export async function readApply(
  client: Client,
  store: BulkStore,
  at: { workspaceId: string; inventory: string },
  { queryTimeoutMs }: { queryTimeoutMs: number },
): Promise<ApplyReading> {
  const workflowId = applyWorkflowId(at.workspaceId, at.inventory);
  const d = await client.withDeadline(Date.now() + queryTimeoutMs, () =>
    client.workflow.getHandle(workflowId).describe(),
  );
  const base = { workflowId, runId: d.runId };
  if (d.status.name === 'RUNNING') return { ...base, status: 'RUNNING' };
  const handle = client.workflow.getHandle(workflowId, d.runId);
  try {
    return { ...base, status: 'COMPLETED', result: await reportOf(store, (await handle.result()) as ApplyResult) };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const ended = d.status.name;
    const status = ended === 'CANCELLED' || ended === 'TERMINATED' || ended === 'TIMED_OUT' ? ended : 'FAILED';
    const cause = err.cause;
    const differences =
      cause instanceof ApplicationFailure && cause.type === 'PlanNoLongerHolds' && Array.isArray(cause.details?.[0])
        ? (cause.details[0] as string[])
        : undefined;
    return { ...base, status, reason: cause?.message ?? err.message, ...(differences ? { differences } : {}) };
  }
}
