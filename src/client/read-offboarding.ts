/**
 * One reading of a channel's offboarding for every door: running, or how its latest run ended (its report, or the
 * reason it did not finish). Throws the client's WorkflowNotFoundError when the channel was never offboarded.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { offboardWorkflowId, type ChannelKey, type OffboardResult } from '../domain/offboarding';

export type OffboardingReading = { workflowId: string; runId: string } & (
  | { status: 'RUNNING' }
  | { status: 'COMPLETED'; closedAt?: Date; result: OffboardResult }
  | { status: 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT'; closedAt?: Date; reason: string }
);

export async function readOffboarding(
  client: Client,
  key: ChannelKey,
  { queryTimeoutMs }: { queryTimeoutMs: number },
): Promise<OffboardingReading> {
  const workflowId = offboardWorkflowId(key);
  const d = await client.withDeadline(Date.now() + queryTimeoutMs, () =>
    client.workflow.getHandle(workflowId).describe(),
  );
  const base = { workflowId, runId: d.runId };
  if (d.status.name === 'RUNNING') return { ...base, status: 'RUNNING' };
  const closed = { ...base, ...(d.closeTime ? { closedAt: d.closeTime } : {}) };
  const handle = client.workflow.getHandle(workflowId, d.runId, { followRuns: false });
  try {
    return { ...closed, status: 'COMPLETED', result: (await handle.result()) as OffboardResult };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const ended = d.status.name;
    const status = ended === 'CANCELLED' || ended === 'TERMINATED' || ended === 'TIMED_OUT' ? ended : 'FAILED';
    return { ...closed, status, reason: err.cause?.message ?? err.message };
  }
}
