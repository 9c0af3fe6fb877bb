/**
 * One reading of a bulk offboarding for every door: running with its progress, or how it ended: completed or
 * cancelled with its report (a line per row of the file, read back from the bulk store), else the reason. Throws the
 * client's WorkflowNotFoundError when there is no such run.
 */
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { OffboardStore } from '../bulk/offboard-store';
import { offboardReportRows, type OffboardReportRow } from '../bulk/offboard-file';
import type { BulkStore } from '../bulk/store';
import { everyRowResult, type BulkOffboardProgress, type BulkOffboardResult } from '../domain/bulk-offboarding';
import { bulkOffboardProgressQuery, bulkOffboardReportQuery } from '../domain/messages/bulk';
import { readRunProgress } from './run-progress';

export type BulkOffboardReading = { workflowId: string; runId: string } & (
  | { status: 'RUNNING'; progress: BulkOffboardProgress }
  | { status: 'COMPLETED' | 'CANCELLED'; progress: BulkOffboardProgress; report: OffboardReportRow[] }
  | { status: 'FAILED' | 'TERMINATED' | 'TIMED_OUT'; reason: string }
);

export async function readBulkOffboard(
  client: Client,
  store: BulkStore,
  workflowId: string,
  { queryTimeoutMs }: { queryTimeoutMs: number },
): Promise<BulkOffboardReading> {
  const d = await client.withDeadline(Date.now() + queryTimeoutMs, () =>
    client.workflow.getHandle(workflowId).describe(),
  );
  const handle = client.workflow.getHandle(workflowId, d.runId, { followRuns: false });
  const base = { workflowId, runId: d.runId };
  const query = <T>(q: () => Promise<T>) => client.withDeadline(Date.now() + queryTimeoutMs, q);
  if (d.status.name === 'RUNNING')
    return { ...base, status: 'RUNNING', progress: await query(() => handle.query(bulkOffboardProgressQuery)) };
  let result: BulkOffboardResult;
  let status: 'COMPLETED' | 'CANCELLED' = 'COMPLETED';
  try {
    result = (await handle.result()) as BulkOffboardResult;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const ended = d.status.name;
    if (ended !== 'CANCELLED') {
      const failed = ended === 'TERMINATED' || ended === 'TIMED_OUT' ? ended : 'FAILED';
      return { ...base, status: failed, reason: err.cause?.message ?? err.message };
    }
    status = 'CANCELLED';
    result = await query(() => handle.query(bulkOffboardReportQuery));
  }
  return { ...base, status, progress: result.progress, report: await reportLines(store, result) };
}

/**
 * A run's status and progress, its report left in the store: what a progress stream follows (it ends once the
 * status is not RUNNING). The progress of a run that has ended is the one it ended with.
 */
export async function readBulkOffboardProgress(
  client: Client,
  workflowId: string,
  opts: { queryTimeoutMs: number },
): Promise<{ status: string; progress: BulkOffboardProgress }> {
  return readRunProgress(client, workflowId, bulkOffboardProgressQuery, opts);
}

/**
 * The report at any point of the run, a line per row of the file in its order: once ended, as readBulkOffboard
 * reads it; before (or after a failure), every row's result so far, the rows not done yet `not-started`.
 */
export async function readBulkOffboardReportLines(
  client: Client,
  store: BulkStore,
  workflowId: string,
  opts: { queryTimeoutMs: number },
): Promise<OffboardReportRow[]> {
  const reading = await readBulkOffboard(client, store, workflowId, opts);
  if ('report' in reading) return reading.report;
  const handle = client.workflow.getHandle(workflowId, reading.runId, { followRuns: false });
  const soFar = await client.withDeadline(Date.now() + opts.queryTimeoutMs, () =>
    handle.query(bulkOffboardReportQuery),
  );
  return reportLines(store, soFar);
}

/** A line per row of the file; a run whose input carried its rows (from before the store) has no file to name them. */
async function reportLines(store: BulkStore, result: BulkOffboardResult): Promise<OffboardReportRow[]> {
  if (!result.stored) return offboardReportRows([], { results: result.results ?? [] });
  const rows = new OffboardStore(store);
  const { bulkKey, runKey } = result.stored;
  const [all, recorded] = await Promise.all([rows.allRows(bulkKey), rows.outcomes(bulkKey, runKey)]);
  return offboardReportRows(all, { results: everyRowResult(result.progress.workspaceId, all, recorded) });
}
