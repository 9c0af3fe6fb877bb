/**
 * While a command waits on a run, says so when no worker polls the run's task queue: without one nothing happens,
 * and nothing else would tell the user. The first look is after a few seconds (a worker that is starting gets the
 * chance to poll), then every 15 s, and the command keeps waiting either way.
 */
import type { Client } from '@temporalio/client';
import { workflowTaskPollers, type TaskQueuePollers } from '../client/task-queue-pollers';

export const FIRST_CHECK_MS = 3_000;
const RECHECK_MS = 15_000;

export function noWorkerMessage(pollers: TaskQueuePollers, namespace: string): string {
  const last = pollers.lastPollAt ? `last poll ${pollers.lastPollAt.toISOString()}` : 'no poll seen';
  return (
    `warning: no worker is polling task queue "${pollers.taskQueue}" in namespace "${namespace}" (${last}), so the run cannot make progress.\n` +
    `  Start a worker on that task queue (TEMPORAL_TASK_QUEUE=${pollers.taskQueue} npm run worker), or start runs where your workers poll (--task-queue).`
  );
}

/** Starts watching; the returned function stops it. Never throws: the check is advice, not part of the command. */
export function watchForWorker(
  client: Client,
  taskQueue: string,
  say: (line: string) => void,
  opts: { firstCheckMs?: number } = {},
): () => void {
  let stopped = false;
  let warned = false;
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    const pollers = await workflowTaskPollers(client, taskQueue).catch(() => undefined);
    if (stopped || !pollers) return;
    if (pollers.live === 0 && !warned) {
      warned = true;
      say(
        `${noWorkerMessage(pollers, client.options.namespace)}\n  Still waiting (Ctrl-C stops waiting; the run itself stays).`,
      );
    } else if (pollers.live > 0 && warned) {
      warned = false;
      say(`a worker is polling task queue "${taskQueue}" now`);
    }
  };
  const schedule = (ms: number) => {
    // unref: the watch must never be what keeps the CLI alive.
    timer = setTimeout(() => void check().finally(() => !stopped && schedule(RECHECK_MS)), ms).unref();
  };
  schedule(opts.firstCheckMs ?? FIRST_CHECK_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
