/**
 * Tells the worker's Bird pacer (src/bird/rate-limits/pacer.ts) how many workers share each Bird queue, so each paces to its
 * share of Bird's limit: the server lists the pollers of a task queue (DescribeTaskQueue), each worker process under
 * its own identity. Refreshed every few seconds; a worker that stops polling drops out of the list after a while
 * (the server keeps pollers it saw in the last minutes), during which the others pace a little below the limit —
 * the safe side. When the server cannot be asked, the last count stays.
 */
import type { ActivitySlotInfo, CustomSlotSupplier, NativeConnection, WorkerOptions } from '@temporalio/worker';
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

export function sharePacerAmongWorkers(
  connection: NativeConnection,
  namespace: string,
  workflowTaskQueue: string,
  pacer: BirdPacer,
): PacerShares {
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
          (described.pollers ?? [])
            .filter((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since)
            .map((p) => p.identity),
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

/**
 * Calls each worker may hold ahead of its pacer per workspace that has calls waiting, and for a workspace that has
 * none yet: enough that the pacer always has the next call in hand when a turn comes (a poll answers in milliseconds
 * while a backlog waits in the server), few enough that the backlog stays in the server for the other workers.
 */
export const CALLS_AHEAD = 2;

interface PacedPermit {
  used: boolean;
}

/**
 * The activity slot supplier of a Bird queue's worker: a slot (and so a poll for a task) is granted only while few
 * calls wait in this worker's pacer. Without it, the server hands tasks to whichever worker polls, and a worker that
 * got more than its share queues them behind its share's pace while another worker's share is idle (two workers:
 * accepted rate under 90% of the limit in one run of three). With it, a task stays in the server until some worker
 * has room for it: the workers' shares are used whenever there is work, however the server spreads it.
 * Why not the alternatives: the SDK's own `maxActivitiesPerSecond` paces a whole queue, not a workspace; borrowing an
 * idle share by the others' measured rate needs it per workspace and within a second, which the server's task-queue
 * statistics (per queue, averaged over tens of seconds) do not give; a turn per call granted on the server (a
 * workflow per workspace) costs a billable action and a round trip per Bird call.
 * Held slots (reserved or running) stay within `maxSlots` (WORKER_MAX_CONCURRENT_ACTIVITIES).
 */
export function pacedActivitySlots(
  pacer: BirdPacer,
  kind: CallKind,
  maxSlots: number,
): CustomSlotSupplier<ActivitySlotInfo> {
  let held = 0;
  /** Reserved for a poll that has brought no task yet: a task may arrive on each. */
  let polling = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  pacer.onLeave(wake);
  const open = () => {
    if (held >= maxSlots) return false;
    const { calls, lanes } = pacer.waiting(kind);
    return calls + polling < CALLS_AHEAD * (lanes + 1);
  };
  const grant = (): PacedPermit => {
    held += 1;
    polling += 1;
    return { used: false };
  };
  return {
    type: 'custom',
    async reserveSlot(_ctx, abortSignal) {
      while (!open()) {
        await new Promise<void>((resolve, reject) => {
          const done = () => {
            waiters.delete(done);
            abortSignal.removeEventListener('abort', aborted);
            resolve();
          };
          const aborted = () => {
            waiters.delete(done);
            reject(abortSignal.reason as Error);
          };
          if (abortSignal.aborted) return aborted();
          waiters.add(done);
          abortSignal.addEventListener('abort', aborted, { once: true });
        });
      }
      return grant();
    },
    tryReserveSlot: () => (open() ? grant() : null),
    markSlotUsed({ permit }) {
      (permit as PacedPermit).used = true;
      polling -= 1;
      wake();
    },
    releaseSlot({ permit }) {
      held -= 1;
      if (!(permit as PacedPermit).used) polling -= 1;
      wake();
    },
  };
}

/**
 * A Bird queue worker's options with its activity slots from `pacedActivitySlots`: the SDK takes slot counts either
 * as the three `maxConcurrent*` options or as a tuner, so the counts move into the tuner (same defaults as the SDK).
 */
export function pacedTuning(options: WorkerOptions, pacer: BirdPacer, kind: CallKind): WorkerOptions {
  const {
    maxConcurrentWorkflowTaskExecutions,
    maxConcurrentActivityTaskExecutions,
    maxConcurrentLocalActivityExecutions,
    ...rest
  } = options;
  return {
    ...rest,
    tuner: {
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: maxConcurrentWorkflowTaskExecutions ?? 40 },
      activityTaskSlotSupplier: pacedActivitySlots(pacer, kind, maxConcurrentActivityTaskExecutions ?? 100),
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: maxConcurrentLocalActivityExecutions ?? 100 },
      nexusTaskSlotSupplier: { type: 'fixed-size', numSlots: 100 },
    },
  };
}
