/**
 * One reading of a provisioning for every door: running (with its progress when a worker answers in time), or how its
 * latest run ended. Each door maps this one union to its own shape (HTTP body, Nexus result, CLI output).
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { ProvisioningProgress } from '../domain/provisioning';
import { getProgress } from './provisioning-client';
import { describeOutcome, type FinishedProvisioning } from './provisioning-outcome';

export type ProvisioningReading =
  | {
      kind: 'running';
      workflowId: string;
      runId: string;
      description: WorkflowExecutionDescription;
      /** Absent when no worker answered the progress query within queryTimeoutMs: `progressProblem` says why. */
      progress?: ProvisioningProgress;
      progressProblem?: string;
    }
  | {
      kind: 'finished';
      finished: FinishedProvisioning;
      /** The latest run's description (task queue, start time, search attributes), for a door that shows them. */
      description: WorkflowExecutionDescription;
    };

/**
 * Throws the client's WorkflowNotFoundError when there is no such provisioning (each door says so its own way).
 * Two rounds at most: a new attempt may start between the describe and the reading of the outcome.
 */
export async function readProvisioning(
  client: Client,
  workflowId: string,
  { queryTimeoutMs }: { queryTimeoutMs: number },
): Promise<ProvisioningReading> {
  for (let round = 0; ; round++) {
    const description = await client.withDeadline(Date.now() + queryTimeoutMs, () =>
      client.workflow.getHandle(workflowId).describe(),
    );
    if (description.status.name !== 'RUNNING') {
      const finished = await describeOutcome(client, workflowId, { queryTimeoutMs });
      if (finished) return { kind: 'finished', finished, description };
      if (round < 1) continue;
    }
    const running = { kind: 'running' as const, workflowId, runId: description.runId, description };
    try {
      const progress = await getProgress(client, workflowId, { timeoutMs: queryTimeoutMs, runId: description.runId });
      return { ...running, progress };
    } catch (err) {
      return { ...running, progressProblem: (err as Error).message };
    }
  }
}
