/**
 * A scheduled apply: a Temporal Schedule that runs applyInventory every so often (overlap SKIP: a run still applying
 * is never joined by the next), correcting drift; prune only when asked. The schedule runs the inventory as it was
 * stored when it was created or last updated: schedule again to change it.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsAction,
} from '@temporalio/client';
import { z } from 'zod';
import { parseFields } from '../base/zod-issues';
import type { BulkStore } from '../bulk/store';
import { applyWorkflowId, InvalidApplyInput } from '../domain/apply';
import { duration } from '../domain/duration';
import * as sa from '../domain/search-attributes';
import { WORKFLOW_TYPES } from '../domain/workflow-types';
import { prepareApply, type ApplyArgs, type ApplyOptions } from './apply-client';

const Every = duration(60_000, 31 * 24 * 3_600_000);

export function applyScheduleId(workspaceId: string, inventory: string): string {
  return applyWorkflowId(workspaceId.toLowerCase(), inventory);
}

/** Creates the inventory's schedule, or updates it to this inventory and these settings if it exists. */
export async function ensureApplySchedule(
  client: Client,
  store: BulkStore,
  args: Omit<ApplyArgs, 'expected'> & { every: string | number },
  opts: ApplyOptions,
): Promise<{ scheduleId: string; created: boolean }> {
  const { every } = parseFields(z.object({ every: Every }), { every: args.every }, (p) => new InvalidApplyInput(p));
  const { input } = await prepareApply(store, args, opts);
  const workspaceId = String(input.plan.workspaceId);
  const scheduleId = applyScheduleId(workspaceId, args.inventory);
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: WORKFLOW_TYPES.applyInventory,
    // The schedule appends the scheduled time to this id, so each run has its own.
    workflowId: scheduleId,
    args: [input],
    taskQueue: opts.taskQueue,
    typedSearchAttributes: [{ key: sa.BirdWorkspaceId, value: workspaceId }],
    staticSummary: `Scheduled apply of inventory ${args.inventory} to workspace ${workspaceId}${args.prune ? ' (with prune)' : ''}`,
  };
  const spec = { intervals: [{ every }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies, memo: { purpose: 'scheduled apply' } });
    return { scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
    return { scheduleId, created: false };
  }
}

/** Removes the inventory's schedule (runs already started go on). */
export async function removeApplySchedule(client: Client, workspaceId: string, inventory: string): Promise<string> {
  const scheduleId = applyScheduleId(workspaceId, inventory);
  await client.schedule.getHandle(scheduleId).delete();
  return scheduleId;
}
