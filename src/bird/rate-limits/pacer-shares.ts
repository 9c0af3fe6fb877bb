/**
 * Tells the worker's Bird pacer (src/bird/rate-limits/pacer.ts) how many workers share each Bird queue, so each paces to its
 * share of Bird's limit: the server lists the pollers of a task queue (DescribeTaskQueue), each worker process under
 * its own identity. Refreshed every few seconds; a worker that stops polling drops out of the list after a while
 * (the server keeps pollers it saw in the last minutes), during which the others pace a little below the limit —
 * the safe side. When the server cannot be asked, the last count stays.
 */
import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { BirdPacer, CallKind } from './pacer';
import { birdReadsQueue, birdWritesQueue } from './queues';

const REFRESH_MS = 5_000;
/** A poller seen within this long is a worker still serving the queue (an idle long poll lasts about a minute). */
const RECENT_MS = 90_000;

export interface PacerShares {
  /** Counts now (and waits for the first count). */
  refresh(): Promise<void>;
  stop(): void;
}

export function sharePacerAmongWorkers(connection: NativeConnection, namespace: string, workflowTaskQueue: string, pacer: BirdPacer): PacerShares {
  const queues: Array<[CallKind, string]> = [
    ['get', birdReadsQueue(workflowTaskQueue)],
    ['write', birdWritesQueue(workflowTaskQueue)],
  ];
  const refresh = async () => {
    for (const [kind, taskQueue] of queues) {
      try {
        const described = await connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        });
        const since = Date.now() - RECENT_MS;
        const identities = new Set(
          (described.pollers ?? []).filter((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since).map((p) => p.identity),
        );
        pacer.setWorkers(kind, Math.max(1, identities.size));
      } catch {
        // Keep the last count: pacing on a stale share is better than not pacing.
      }
    }
  };
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
