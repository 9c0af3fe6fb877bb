/**
 * Whether any worker polls a task queue for workflow tasks, from the server's own record of recent pollers
 * (DescribeTaskQueue). A run on a queue nobody polls waits silently forever, so callers use this to say so.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/**
 * A live worker re-polls at least every minute or so (a long poll lasts up to ~60 s); the server remembers a
 * poller for minutes after it stops, so only recent polls count.
 */
export const LIVE_POLLER_WINDOW_MS = 2 * 60_000;

export interface TaskQueuePollers {
  taskQueue: string;
  /** Workers that polled within LIVE_POLLER_WINDOW_MS. */
  live: number;
  /** The most recent poll the server remembers, if any (it forgets after a few minutes). */
  lastPollAt?: Date;
}

export async function workflowTaskPollers(
  client: Client,
  taskQueue: string,
  now = Date.now(),
): Promise<TaskQueuePollers> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  const polls = (response.pollers ?? [])
    .map((p) => timestampMs(p.lastAccessTime))
    .filter((ms): ms is number => ms !== undefined);
  const last = polls.length ? Math.max(...polls) : undefined;
  return {
    taskQueue,
    live: polls.filter((ms) => now - ms <= LIVE_POLLER_WINDOW_MS).length,
    lastPollAt: last === undefined ? undefined : new Date(last),
  };
}

function timestampMs(
  ts: temporal.api.workflowservice.v1.DescribeTaskQueueResponse['pollers'][number]['lastAccessTime'],
): number | undefined {
  if (!ts) return undefined;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : Number(ts.seconds?.toString() ?? 0);
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}
