/**
 * Bird's rate limits are per workspace. With BIRD_RATE_LIMIT_SCOPE=workspace, every Bird activity carries its
 * workspace as fairness key (src/workflows/bird-activities.ts) and the worker sets each Bird queue's default
 * per-key rate to Bird's limit, so several workspaces onboarding at once each get their own budget instead of sharing
 * one. That is Temporal's task-queue fairness: the server must run with `matching.enableFairness=true`
 * (scripts/temporal.sh and deploy/dynamicconfig.yaml set it). The queue's own limit (the worker's
 * maxTaskQueueActivitiesPerSecond) then caps all workspaces together.
 */
import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { BirdRateLimits } from './budget';
import { birdReadsQueue, birdWritesQueue } from './queues';

export async function applyPerWorkspaceRateLimits(
  connection: NativeConnection,
  namespace: string,
  workflowTaskQueue: string,
  limits: BirdRateLimits,
): Promise<void> {
  const updates: Array<[string, number]> = [
    [birdReadsQueue(workflowTaskQueue), limits.getPerSecond],
    [birdWritesQueue(workflowTaskQueue), limits.postPerSecond],
  ];
  for (const [taskQueue, requestsPerSecond] of updates) {
    await connection.workflowService.updateTaskQueueConfig({
      namespace,
      taskQueue,
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      identity: 'bird-provisioning-worker',
      updateFairnessKeyRateLimitDefault: {
        rateLimit: { requestsPerSecond },
        reason: "Bird's per-workspace rate limit",
      },
    });
  }
}
