/**
 * The figures of a bulk run that hold on a cluster, where the dev server is not the bottleneck and three budgets set
 * the pace: Bird's 50 GET/s and 500 POST/s per workspace, and the namespace's actions per second (Temporal Cloud's
 * default is 500). Per number: Bird GETs and POSTs (accepted ones; 429s spend no budget), billable Temporal actions
 * (src/domain/billable-actions.ts over the histories of the bulk run's runs and of its children), and the wall time
 * 10,000 numbers would take on a cluster: the slowest of the three budgets, or Bird's activation time if that is
 * longer. A projection from per-number costs, not a measurement: the measured wall time is printed beside it.
 */
import type { Client } from '@temporalio/client';
import { BIRD_RATE_LIMITS } from '../../src/bird/rate-limits/budget';
import type { SimCall } from '../../src/bird-sim';
import { billableActions, sumActions, type ActionCount } from '../../src/domain/billable-actions';

/** Temporal Cloud's default actions-per-second limit of a namespace. */
export const NAMESPACE_ACTIONS_PER_SECOND = 500;
const PROJECTED_NUMBERS = 10_000;

export interface ClusterFigures {
  getsPerNumber: number;
  postsPerNumber: number;
  actionsPerNumber: number;
  actionsPerNumberByKind: Record<string, number>;
  projectedClusterSeconds10k: number;
}

export async function clusterFigures(args: {
  client: Client;
  bulkWorkflowId: string;
  numbers: number;
  calls: SimCall[];
  /** Bird's slowest activation at full scale (s): the last numbers created still wait that long. */
  activationSeconds: number;
}): Promise<ClusterFigures> {
  const { client, bulkWorkflowId, numbers: n, calls } = args;
  const accepted = calls.filter((c) => c.status !== 429);
  const gets = accepted.filter((c) => c.method === 'GET').length / n;
  const posts = accepted.filter((c) => c.method !== 'GET').length / n;
  const actions = await actionsOfBulk(client, bulkWorkflowId);
  const perNumber = actions.total / n;
  const N = PROJECTED_NUMBERS;
  const projected = Math.max(
    (N * gets) / BIRD_RATE_LIMITS.getPerSecond,
    (N * posts) / BIRD_RATE_LIMITS.postPerSecond,
    (N * perNumber) / NAMESPACE_ACTIONS_PER_SECOND,
    args.activationSeconds,
  );
  return {
    getsPerNumber: round(gets),
    postsPerNumber: round(posts),
    actionsPerNumber: round(perNumber),
    actionsPerNumberByKind: Object.fromEntries(Object.entries(actions.byKind).map(([k, v]) => [k, round(v / n)])),
    projectedClusterSeconds10k: Math.round(projected),
  };
}

/** Every run of the bulk workflow and every child it started. */
async function actionsOfBulk(client: Client, bulkWorkflowId: string): Promise<ActionCount> {
  const runs: Array<{ workflowId: string; runId?: string }> = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${bulkWorkflowId}'` }))
    runs.push({ workflowId: run.workflowId, runId: run.runId });
  for await (const child of client.workflow.list({ query: `ParentWorkflowId = '${bulkWorkflowId}'` }))
    runs.push({ workflowId: child.workflowId, runId: child.runId });
  const counts: ActionCount[] = [];
  for (let i = 0; i < runs.length; i += 20) {
    const histories = await Promise.all(
      runs.slice(i, i + 20).map((r) => client.workflow.getHandle(r.workflowId, r.runId).fetchHistory()),
    );
    counts.push(...histories.map(billableActions));
  }
  return sumActions(counts);
}

function round(x: number): number {
  return +x.toFixed(2);
}
