/**
 * The typed API of the orphan audit: run it once (report, or delete with `delete: true`) and wait for its report,
 * or keep a Temporal Schedule that runs it every so often (overlap SKIP: a run still deleting is never joined by
 * the next one).
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
  type WorkflowHandle,
} from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { duration } from '../domain/duration';
import {
  InvalidReconcileInput,
  parseReconcileInput,
  ReconcileInput,
  type ReconcileInputRaw,
  type ReconcileReport,
} from '../domain/reconcile';
import * as sa from '../domain/search-attributes';
import { parseFields } from '../base/zod-issues';
import { WORKFLOW_TYPES, type ReconcileConnectorsWorkflow } from '../domain/workflow-types';

export interface StartedReconcile {
  workflowId: string;
  handle: WorkflowHandle<ReconcileConnectorsWorkflow>;
}

/** Validates the input (InvalidReconcileInput names each bad field) and starts one audit. */
export async function startReconcile(
  client: Client,
  raw: ReconcileInputRaw,
  opts: { taskQueue: string },
): Promise<StartedReconcile> {
  const input = parseReconcileInput(raw);
  // One id per audit: a delete run must never attach to a report-only run that happens to be going.
  const workflowId = `reconcile/${input.workspaceId}/${new Date().toISOString()}-${randomUUID().slice(0, 8)}`;
  const handle = await client.workflow.start<ReconcileConnectorsWorkflow>(WORKFLOW_TYPES.reconcileConnectors, {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [input],
    typedSearchAttributes: [{ key: sa.BirdWorkspaceId, value: input.workspaceId }],
    staticSummary: `Orphan audit of workspace ${input.workspaceId}${input.delete ? ' (deleting orphans)' : ' (report only)'}`,
  });
  return { workflowId, handle };
}

/** Runs one audit and returns its report. */
export async function reconcile(
  client: Client,
  raw: ReconcileInputRaw,
  opts: { taskQueue: string },
): Promise<ReconcileReport> {
  const { handle } = await startReconcile(client, raw, opts);
  return handle.result();
}

export const ReconcileScheduleInput = ReconcileInput.safeExtend({
  /** How often the audit runs. */
  every: duration(60_000, 31 * 24 * 3_600_000),
});
export type ReconcileScheduleInputRaw = z.input<typeof ReconcileScheduleInput>;

export function reconcileScheduleId(workspaceId: string): string {
  return `reconcile/${workspaceId.toLowerCase()}`;
}

/** Creates the workspace's audit schedule, or updates it to these settings if it exists. */
export async function ensureReconcileSchedule(
  client: Client,
  raw: ReconcileScheduleInputRaw,
  opts: { taskQueue: string },
): Promise<{ scheduleId: string; created: boolean }> {
  const { every, ...input } = parseFields(
    ReconcileScheduleInput,
    raw,
    (problems) => new InvalidReconcileInput(problems),
  );
  const scheduleId = reconcileScheduleId(input.workspaceId);
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: WORKFLOW_TYPES.reconcileConnectors,
    // The schedule appends the scheduled time to this id, so each run has its own.
    workflowId: `reconcile/${input.workspaceId}/scheduled`,
    args: [input],
    taskQueue: opts.taskQueue,
    typedSearchAttributes: [{ key: sa.BirdWorkspaceId, value: input.workspaceId }],
    staticSummary: `Scheduled orphan audit of workspace ${input.workspaceId}${input.delete ? ' (deleting orphans)' : ' (report only)'}`,
  };
  const spec = { intervals: [{ every }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, memo: { purpose: 'orphan connector audit' } });
    return { scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
    return { scheduleId, created: false };
  }
}
