/**
 * The typed API of bulk offboarding: validate the rows, start the bulkOffboard run (the same rows started again while
 * it runs attach to it), read its progress, cancel it, await its result.
 */
import { createHash } from 'node:crypto';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  parseBulkOffboardOptions,
  type BulkOffboardOptions,
  type BulkOffboardProgress,
  type BulkOffboardResult,
} from '../domain/bulk-offboarding';
import { bulkOffboardProgressQuery, bulkOffboardReportQuery } from '../domain/messages/bulk';
import * as sa from '../domain/search-attributes';
import { WORKFLOW_TYPES, type BulkOffboardWorkflow } from '../domain/workflow-types';

export interface StartedBulkOffboard {
  workflowId: string;
  runId: string;
  input: BulkOffboardOptions;
  handle: WorkflowHandle<BulkOffboardWorkflow>;
}

/** One run per workspace and set of rows: the digest of the rows (numbers are personal data: never in the id). */
export function bulkOffboardWorkflowId(input: Pick<BulkOffboardOptions, 'workspaceId' | 'rows'>): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(input.rows.map((r) => [r.phoneNumberId, r.connector])))
    .digest('hex');
  return `bulk-offboard/${input.workspaceId}/${digest.slice(0, 16)}`;
}

/** Validates (InvalidBulkOffboardInput names each bad field and row) and starts. */
export async function startBulkOffboard(
  client: Client,
  raw: unknown,
  opts: { taskQueue: string },
): Promise<StartedBulkOffboard> {
  const input = parseBulkOffboardOptions(raw);
  const workflowId = bulkOffboardWorkflowId(input);
  const handle = await client.workflow.start<BulkOffboardWorkflow>(WORKFLOW_TYPES.bulkOffboard, {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: sa.BirdWorkspaceId, value: input.workspaceId },
      { key: sa.ProvisioningStage, value: 'bulk-offboarding' },
    ],
    staticSummary: `Offboard ${input.rows.length} channel(s) from workspace ${input.workspaceId}`,
  });
  return { workflowId, runId: handle.firstExecutionRunId, input, handle };
}

export async function getBulkOffboardProgress(client: Client, workflowId: string): Promise<BulkOffboardProgress> {
  return client.workflow.getHandle(workflowId).query(bulkOffboardProgressQuery);
}

export async function cancelBulkOffboard(client: Client, workflowId: string): Promise<void> {
  await client.workflow.getHandle(workflowId).cancel();
}

export type BulkOffboardEnd =
  { status: 'completed' | 'cancelled'; result: BulkOffboardResult } | { status: 'failed'; error: Error };

/**
 * Waits for the run to end: completed, or cancelled (then every row's result comes from the report query: the
 * window's rows `cancelled`, or what they reached first, and the rows never started `not-started`).
 */
export async function awaitBulkOffboard(client: Client, workflowId: string): Promise<BulkOffboardEnd> {
  const handle = client.workflow.getHandle<BulkOffboardWorkflow>(workflowId);
  try {
    return { status: 'completed', result: await handle.result() };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    if ((await handle.describe()).status.name !== 'CANCELLED') return { status: 'failed', error: err };
    return { status: 'cancelled', result: await handle.query(bulkOffboardReportQuery) };
  }
}
