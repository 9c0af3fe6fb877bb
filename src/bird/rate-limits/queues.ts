/**
 * The task queues of one deployment, derived from its workflow task queue (TEMPORAL_TASK_QUEUE), so a worker and
 * the workflows it runs always agree on them.
 *
 * Bird's API is rate-limited per workspace (50 GET and 500 POST requests per second by default), so activities that
 * call Bird are routed by the HTTP method they use: reads (GET) on one queue, writes (POST, DELETE) on another, each
 * served with its own `maxTaskQueueActivitiesPerSecond`, which the server enforces across every worker polling the
 * queue. An activity on another queue than its workflow is never executed eagerly, so nothing bypasses the limit.
 */
export function birdReadsQueue(workflowTaskQueue: string): string {
  return `${workflowTaskQueue}-bird-reads`;
}

export function birdWritesQueue(workflowTaskQueue: string): string {
  return `${workflowTaskQueue}-bird-writes`;
}

/** Every queue a complete worker serves, with the role that names it in WORKER_TASK_QUEUES. */
export function deploymentTaskQueues(workflowTaskQueue: string): Record<TaskQueueRole, string> {
  return {
    workflows: workflowTaskQueue,
    'bird-reads': birdReadsQueue(workflowTaskQueue),
    'bird-writes': birdWritesQueue(workflowTaskQueue),
  };
}

export const TASK_QUEUE_ROLES = ['workflows', 'bird-reads', 'bird-writes'] as const;
export type TaskQueueRole = (typeof TASK_QUEUE_ROLES)[number];

/**
 * Where a Bird call runs and under which fairness key: reads on the reads queue, writes on the writes queue, each
 * keyed by its workspace, so that with task-queue fairness on the server every workspace gets its own share of
 * Bird's per-workspace limit (fairness.ts).
 */
export function birdCallRouting(workflowTaskQueue: string, workspaceId: string) {
  const priority = { fairnessKey: workspaceId };
  return {
    reads: { taskQueue: birdReadsQueue(workflowTaskQueue), priority },
    writes: { taskQueue: birdWritesQueue(workflowTaskQueue), priority },
  };
}
