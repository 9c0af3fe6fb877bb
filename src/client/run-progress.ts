/**
 * A run's status and the answer of its progress query, read from the same run: what a progress stream follows until
 * the status is not RUNNING (a run terminated, failed or timed out never says so in its progress). Every bulk run
 * kind reads its progress this way.
 */
import type { Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

export async function readRunProgress<P>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<P, []>,
  { queryTimeoutMs }: { queryTimeoutMs: number },
): Promise<{ status: string; progress: P }> {
  const deadline = () => Date.now() + queryTimeoutMs;
  const d = await client.withDeadline(deadline(), () => client.workflow.getHandle(workflowId).describe());
  const handle = client.workflow.getHandle(workflowId, d.runId, { followRuns: false });
  const progress = await client.withDeadline(deadline(), () => handle.query(query));
  return { status: d.status.name, progress };
}
