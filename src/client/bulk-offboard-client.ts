/**
 * The typed API of bulk offboarding: validate the rows, write them to the bulk store and start the bulkOffboard run
 * over them (the same rows started again while it runs attach to it), read its progress, cancel it, await its end
 * and read every row's result back from the store.
 */
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { OffboardStore, offboardRowsDigest } from '../bulk/offboard-store';
import type { BulkStore } from '../bulk/store';
import {
  everyRowResult,
  parseBulkOffboardOptions,
  type BulkOffboardOptions,
  type BulkOffboardProgress,
  type BulkOffboardReport,
  type BulkOffboardResult,
  type StoredBulkOffboardInput,
} from '../domain/bulk-offboarding';
import { bulkOffboardProgressQuery, bulkOffboardReportQuery } from '../domain/messages/bulk';
import * as sa from '../domain/search-attributes';
import { WORKFLOW_TYPES, type BulkOffboardWorkflow } from '../domain/workflow-types';

export interface StartedBulkOffboard {
  workflowId: string;
  runId: string;
  input: StoredBulkOffboardInput;
  handle: WorkflowHandle<BulkOffboardWorkflow>;
}

/** One run per workspace and set of rows: the digest of the rows (numbers are personal data: never in the id). */
export function bulkOffboardWorkflowId(input: Pick<BulkOffboardOptions, 'workspaceId' | 'rows'>): string {
  return `bulk-offboard/${input.workspaceId}/${offboardRowsDigest(input.rows).slice(0, 16)}`;
}

/** Rows read per activity: a page of numbers is a few dozen KB. */
const PAGE_SIZE = 500;

/**
 * Validates (InvalidBulkOffboardInput names each bad field and row), stores the rows and starts. `source` names the
 * file in the store's manifest, for people; `pageSize` (rows read per activity) is for tests.
 */
export async function startBulkOffboard(
  client: Client,
  store: BulkStore,
  raw: unknown,
  opts: { taskQueue: string; source?: string; pageSize?: number },
): Promise<StartedBulkOffboard> {
  const { workflowId, ...options } = await prepareBulkOffboard(store, raw, opts);
  const handle = await client.workflow.start<BulkOffboardWorkflow>(WORKFLOW_TYPES.bulkOffboard, {
    taskQueue: opts.taskQueue,
    workflowId,
    ...options,
  });
  return { workflowId, runId: handle.firstExecutionRunId, input: options.args[0], handle };
}

/**
 * The rows validated and stored, and how their run is started, whoever starts it (startBulkOffboard, the Nexus
 * `bulkOffboard` operation): its workflow id, input, conflict policy, summary and search attributes.
 */
export async function prepareBulkOffboard(
  store: BulkStore,
  raw: unknown,
  opts: { source?: string; pageSize?: number } = {},
) {
  const { rows, ...options } = parseBulkOffboardOptions(raw);
  const stored = await new OffboardStore(store).saveRows(options.workspaceId, rows, opts.source ?? 'rows');
  const input: StoredBulkOffboardInput = { ...options, stored, pageSize: opts.pageSize ?? PAGE_SIZE };
  return {
    workflowId: bulkOffboardWorkflowId({ workspaceId: options.workspaceId, rows }),
    args: [input] as [StoredBulkOffboardInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    typedSearchAttributes: [
      { key: sa.BirdWorkspaceId, value: input.workspaceId },
      { key: sa.ProvisioningStage, value: 'bulk-offboarding' },
    ],
    staticSummary: `Offboard ${stored.rowCount} channel(s) from workspace ${input.workspaceId}`,
  };
}

export async function getBulkOffboardProgress(client: Client, workflowId: string): Promise<BulkOffboardProgress> {
  return client.workflow.getHandle(workflowId).query(bulkOffboardProgressQuery);
}

/**
 * Asks the running run to stop (the offboardings in its window stop cleanly, rows not started stay untouched); a run
 * that has already ended is left as it is, and its status said.
 */
export async function cancelBulkOffboard(
  client: Client,
  workflowId: string,
): Promise<{ requested: true; runId: string } | { requested: false; ended: string }> {
  const d = await client.workflow.getHandle(workflowId).describe();
  if (d.status.name !== 'RUNNING') return { requested: false, ended: d.status.name };
  await client.workflow.getHandle(workflowId, d.runId).cancel();
  return { requested: true, runId: d.runId };
}

export type BulkOffboardEnd =
  { status: 'completed' | 'cancelled'; result: BulkOffboardReport } | { status: 'failed'; error: Error };

/**
 * Waits for the run to end: completed, or cancelled (then its results come from the report query: the window's
 * rows `cancelled`, or what they reached first, and the rows never started `not-started`).
 */
export async function awaitBulkOffboard(
  client: Client,
  store: BulkStore,
  workflowId: string,
): Promise<BulkOffboardEnd> {
  const handle = client.workflow.getHandle<BulkOffboardWorkflow>(workflowId);
  try {
    return { status: 'completed', result: await readBulkOffboardReport(store, await handle.result()) };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    if ((await handle.describe()).status.name !== 'CANCELLED') return { status: 'failed', error: err };
    return {
      status: 'cancelled',
      result: await readBulkOffboardReport(store, await handle.query(bulkOffboardReportQuery)),
    };
  }
}

/** Every row's result, in the rows' order: read back from the store, or carried by a run with inline rows. */
export async function readBulkOffboardReport(
  store: BulkStore,
  result: BulkOffboardResult,
): Promise<BulkOffboardReport> {
  if (!result.stored) return { progress: result.progress, results: result.results ?? [] };
  const rows = new OffboardStore(store);
  const { bulkKey, runKey } = result.stored;
  const [all, recorded] = await Promise.all([rows.allRows(bulkKey), rows.outcomes(bulkKey, runKey)]);
  return { progress: result.progress, results: everyRowResult(result.progress.workspaceId, all, recorded) };
}
