/**
 * The figures of a bulk run that hold on a cluster, where the dev server is not the bottleneck and three budgets set
 * the pace: Bird's 50 GET/s and 500 POST/s per workspace, and the namespace's actions per second (Temporal Cloud's
 * default is 500). Per number: Bird GETs and POSTs (accepted ones; 429s spend no budget), billable Temporal actions
 * (src/domain/billable-actions.ts over the histories of the bulk run's runs and of its children), and the wall time
 * 10,000 numbers would take on a cluster: the slowest of the three budgets, or Bird's activation time if that is
 * longer. A projection from per-number costs, not a measurement: the measured wall time is printed beside it.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { BIRD_RATE_LIMITS } from '../../src/bird/rate-limits/budget';
import type { SimCall } from '../../src/bird-sim';
import { billableActions, readsQueueDispatches, sumActions, type ActionCount } from '../../src/domain/billable-actions';

/** Temporal Cloud's default actions-per-second limit of a namespace. */
export const NAMESPACE_ACTIONS_PER_SECOND = 500;
const PROJECTED_NUMBERS = 10_000;

export interface ClusterFigures {
  getsPerNumber: number;
  postsPerNumber: number;
  actionsPerNumber: number;
  actionsPerNumberByKind: Record<string, number>;
  projectedClusterSeconds10k: number;
  /** Activity tasks the rate-limited reads queue handed out (every attempt), per number: each spends its budget. */
  readsQueueDispatchesPerNumber: number;
  /** Median time a read activity waited in the reads queue before its (only) attempt started. */
  readQueueWaitSecondsMedian: number;
  /** Where a provisioning's time went, per phase (childPhases). */
  childPhaseSecondsMedian: Record<string, number>;
}

export async function clusterFigures(args: {
  client: Client;
  bulkWorkflowId: string;
  numbers: number;
  calls: SimCall[];
  /** Bird's slowest activation at full scale (s): the last numbers created still wait that long. */
  activationSeconds: number;
  /**
   * The share of Bird's GET limit a run bound by it actually spent (scripts/bench/get-bound.ts), measured with
   * `--get-limit`; 1 when not measured. The projection divides the GET time by it.
   */
  getEfficiency?: number;
}): Promise<ClusterFigures> {
  const { client, bulkWorkflowId, numbers: n, calls } = args;
  const accepted = calls.filter((c) => c.status !== 429);
  const gets = accepted.filter((c) => c.method === 'GET').length / n;
  const posts = accepted.filter((c) => c.method !== 'GET').length / n;
  const { actions, readsDispatches, readWaitsMs, phases } = await historiesOfBulk(client, bulkWorkflowId);
  const perNumber = actions.total / n;
  const efficiency = Math.min(1, Math.max(0.01, args.getEfficiency ?? 1));
  const N = PROJECTED_NUMBERS;
  const projected = Math.max(
    (N * gets) / (BIRD_RATE_LIMITS.getPerSecond * efficiency),
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
    readsQueueDispatchesPerNumber: round(readsDispatches / n),
    readQueueWaitSecondsMedian: round(median(readWaitsMs) / 1000),
    childPhaseSecondsMedian: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(median(v) / 1000)])),
  };
}

/** The actions and reads-queue dispatches of every run of the bulk workflow and of every child it started. */
async function historiesOfBulk(
  client: Client,
  bulkWorkflowId: string,
): Promise<{
  actions: ActionCount;
  readsDispatches: number;
  readWaitsMs: number[];
  phases: Record<string, number[]>;
}> {
  const runs: Array<{ workflowId: string; runId?: string }> = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${bulkWorkflowId}'` }))
    runs.push({ workflowId: run.workflowId, runId: run.runId });
  for await (const child of client.workflow.list({ query: `ParentWorkflowId = '${bulkWorkflowId}'` }))
    runs.push({ workflowId: child.workflowId, runId: child.runId });
  const counts: ActionCount[] = [];
  let readsDispatches = 0;
  const readWaitsMs: number[] = [];
  const phases: Record<string, number[]> = {};
  for (let i = 0; i < runs.length; i += 20) {
    const histories = await Promise.all(
      runs.slice(i, i + 20).map((r) => client.workflow.getHandle(r.workflowId, r.runId).fetchHistory()),
    );
    counts.push(...histories.map(billableActions));
    for (const h of histories) readsDispatches += readsQueueDispatches(h);
    for (const h of histories) readWaitsMs.push(...firstReadWaits(h));
    for (const h of histories) for (const [k, v] of Object.entries(childPhases(h))) (phases[k] ??= []).push(v);
  }
  return { actions: sumActions(counts), readsDispatches, readWaitsMs, phases };
}

/**
 * Where a provisioning's time went: start → connector created, → first status read scheduled (the minimum
 * activation time), → the read's activity started (waiting in the reads queue), → channel seen ready, → run closed.
 */
function childPhases(history: temporal.api.history.v1.IHistory): Record<string, number> {
  const events = history.events ?? [];
  const at = (e: temporal.api.history.v1.IHistoryEvent | undefined) => (e ? msOf(e.eventTime) : undefined);
  const type = (e: temporal.api.history.v1.IHistoryEvent) => e.activityTaskScheduledEventAttributes?.activityType?.name;
  const createSched = events.find((e) => type(e) === 'createConnector');
  if (!createSched) return {};
  const created = events.find(
    (e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === createSched.eventId?.toString(),
  );
  const pollSched = events.find((e) => type(e) === 'awaitChannelActive');
  const pollId = pollSched?.eventId?.toString();
  const pollStarted = events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === pollId);
  const pollDone = events.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === pollId);
  const marks = [at(events[0]), at(created), at(pollSched), at(pollStarted), at(pollDone), at(events.at(-1))];
  const names = ['toCreated', 'toReadScheduled', 'readQueued', 'toReady', 'toClosed'];
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    const [a, b] = [marks[i], marks[i + 1]];
    if (a !== undefined && b !== undefined) out[name] = b - a;
  });
  if (marks[0] !== undefined && marks[5] !== undefined) out['total'] = marks[5] - marks[0];
  return out;
}

/** How long each read activity that ran once waited in the reads queue: scheduled → started. */
function firstReadWaits(history: temporal.api.history.v1.IHistory): number[] {
  const scheduledAt = new Map<string, number>();
  const waits: number[] = [];
  for (const e of history.events ?? []) {
    if (e.activityTaskScheduledEventAttributes?.taskQueue?.name?.endsWith('-bird-reads'))
      scheduledAt.set(String(e.eventId), msOf(e.eventTime));
    const started = e.activityTaskStartedEventAttributes;
    const at = started ? scheduledAt.get(String(started.scheduledEventId)) : undefined;
    if (at !== undefined && (started?.attempt ?? 1) === 1) waits.push(msOf(e.eventTime) - at);
  }
  return waits;
}

function msOf(t: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  return Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function round(x: number): number {
  return +x.toFixed(2);
}
