/**
 * Recovery time, measured the way an operator would see it: from the kill (of a worker, or of the server) to the
 * moment the activities it interrupted are running again, i.e. describe() shows a later attempt started after the
 * kill, or the history shows the activity finished on a later attempt. An activity that turns out to have finished on
 * the attempt that was running at the kill was not interrupted and is left out.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

export interface InFlightActivity {
  workflowId: string;
  activityId: string;
  activityType: string;
  attempt: number;
  identity: string;
}

type Timestamp = { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined;

export function millisOf(ts: Timestamp): number | undefined {
  if (!ts || ts.seconds == null) return undefined;
  return Number(ts.seconds.toString()) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/**
 * Activities running right now in the workspace's running provisionings (optionally in one stage), or in the running
 * runs of another workflow type on a task queue (an apply's offboardChannel children carry no workspace attribute);
 * with `waiting`, also those waiting for their next attempt (an offboarding's confirmation reads back off).
 */
export async function activitiesInFlight(
  client: Client,
  opts: {
    workspaceId: string;
    stage?: string;
    limit?: number;
    workflowType?: string;
    taskQueue?: string;
    waiting?: boolean;
  },
): Promise<InFlightActivity[]> {
  const query = [
    `WorkflowType = '${opts.workflowType ?? 'provisionChannel'}'`,
    `ExecutionStatus = 'Running'`,
    opts.taskQueue ? `TaskQueue = '${opts.taskQueue}'` : `BirdWorkspaceId = '${opts.workspaceId}'`,
    ...(opts.stage ? [`ProvisioningStage = '${opts.stage}'`] : []),
  ].join(' AND ');
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: 100 })) {
    ids.push(wf.workflowId);
    if (ids.length >= (opts.limit ?? 60)) break;
  }
  const found: InFlightActivity[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(
      ids.slice(i, i + 10).map(async (workflowId) => {
        const d = await client.workflow
          .getHandle(workflowId)
          .describe()
          .catch(() => undefined);
        for (const a of d?.raw.pendingActivities ?? []) {
          const running = a.state === STARTED && !!a.lastWorkerIdentity;
          if (!a.activityId || !(running || opts.waiting)) continue;
          found.push({
            workflowId,
            activityId: a.activityId,
            activityType: a.activityType?.name ?? '?',
            // One waiting for its next attempt counts as the previous one: that next attempt is the work resuming.
            attempt: (a.attempt ?? 1) - (running ? 0 : 1),
            identity: a.lastWorkerIdentity ?? '',
          });
        }
      }),
    );
  }
  return found;
}

export type Resumption =
  | { activity: InFlightActivity; outcome: 'resumed'; afterMs: number }
  | { activity: InFlightActivity; outcome: 'not-interrupted' | 'unknown' };

/** Waits until each activity is running again (or done) after `since`; `afterMs` is measured from `since`. */
export async function awaitResumed(
  client: Client,
  activities: InFlightActivity[],
  since: number,
  timeoutMs = 120_000,
): Promise<Resumption[]> {
  const pending = new Set(activities);
  const out: Resumption[] = [];
  const deadline = Date.now() + timeoutMs;
  while (pending.size && Date.now() < deadline) {
    await Promise.all(
      [...pending].map(async (activity) => {
        const r = await probe(client, activity, since);
        if (r) {
          out.push(r);
          pending.delete(activity);
        }
      }),
    );
    if (pending.size) await new Promise((r) => setTimeout(r, 100));
  }
  for (const activity of pending) out.push({ activity, outcome: 'unknown' });
  return out;
}

async function probe(client: Client, activity: InFlightActivity, since: number): Promise<Resumption | undefined> {
  const handle = client.workflow.getHandle(activity.workflowId);
  let described;
  try {
    described = await handle.describe();
  } catch {
    return undefined; // the server is not back yet
  }
  const now = described.raw.pendingActivities?.find((a) => a.activityId === activity.activityId);
  if (now) {
    const started = millisOf(now.lastStartedTime);
    if ((now.attempt ?? 1) > activity.attempt && started !== undefined && started >= since)
      return { activity, outcome: 'resumed', afterMs: started - since };
    return undefined;
  }
  // No longer pending: the history says on which attempt, and when, it last started.
  const history = await handle.fetchHistory().catch(() => undefined);
  if (!history) return undefined;
  const scheduled = history.events?.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityId === activity.activityId,
  );
  const startedEvent =
    scheduled &&
    history.events?.find(
      (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? '') === String(scheduled.eventId ?? ''),
    );
  const attempt = startedEvent?.activityTaskStartedEventAttributes?.attempt;
  const at = millisOf(startedEvent?.eventTime);
  if (attempt === undefined || attempt === null || at === undefined) return { activity, outcome: 'unknown' };
  if (attempt <= activity.attempt) return { activity, outcome: 'not-interrupted' };
  return { activity, outcome: 'resumed', afterMs: Math.max(0, at - since) };
}

/** The figure for one kill: when the last of the activities it interrupted was running again. */
export function recoveryOf(resumptions: Resumption[]): number | undefined {
  const times = resumptions.flatMap((r) => (r.outcome === 'resumed' ? [r.afterMs] : []));
  return times.length ? Math.max(...times) : undefined;
}

export function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}
