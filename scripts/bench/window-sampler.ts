/**
 * The bulk window and Bird's reads queue as a run goes, every two seconds: the rows in flight against the window's
 * size (its occupancy: a window that is full while Bird is idle is what binds the run), the largest size it grew to,
 * and the reads queue's backlog (tasks the server holds back at Bird's GET limit: while there is one, Bird's budget
 * is what binds the run).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { getBulkProgress } from '../../src/client/bulk-client';
import { percentile } from './get-bound';

export interface BacklogSample {
  at: number;
  backlog: number;
}

export function sampleWindow(client: Client, workflowId: string, readsQueue: string, everyMs = 2_000) {
  const occupancy: number[] = [];
  const backlog: BacklogSample[] = [];
  let largest = 0;
  const sample = async () => {
    const p = await getBulkProgress(client, workflowId).catch(() => undefined);
    const size = p?.window ?? 0;
    largest = Math.max(largest, size);
    if (p && size > 0 && p.stage === 'onboarding' && p.pending > 0) occupancy.push(p.running / size);
    const described = await client.workflowService
      .describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: readsQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        reportStats: true,
      })
      .catch(() => undefined);
    const count = described?.stats?.approximateBacklogCount;
    if (count !== undefined && count !== null) backlog.push({ at: Date.now(), backlog: Number(count) });
  };
  const timer = setInterval(() => void sample(), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return {
        figures: { windowOccupancyMedian: +percentile(occupancy, 0.5).toFixed(2), windowLargest: largest },
        backlog,
      };
    },
  };
}
