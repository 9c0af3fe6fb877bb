/**
 * bulkOffboard: offboards every row of a file (a number, or a template and name) as offboardChannel children in a
 * sliding window of bounded concurrency, and reports what became of each row.
 *
 * - The window bounds how many offboardings run at once; each one's Bird calls also wait on the workspace's
 *   rate-limited queues (src/bird/rate-limits/queues.ts), so a large window cannot flood Bird, only queue longer.
 * - The rows are in the bulk store: the run reads them a page at a time and writes their results back in batches
 *   (src/workflows/offboard/bulk-rows.ts), so no payload grows with the file. Runs whose input carries the rows
 *   (started before) carry their results instead, as their histories recorded.
 * - Each run starts at most `startsPerRun` children, lets its window drain, and continues as new carrying its
 *   counts: a run's history stays a few thousand events whatever the file's size.
 * - Children keep the deterministic id a single `offboard` uses: a row whose offboarding is already running
 *   elsewhere is `failed` with that reason (retry it), never offboarded twice at once.
 * - Cancelling the run cancels the children in the window (each stops cleanly, as a single offboarding does);
 *   rows never started are `not-started`.
 */
import {
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  channelKeyOfRow,
  describeBulkOffboard,
  rowResultOfOffboard,
  type BulkOffboardInput,
  type BulkOffboardProgress,
  type BulkOffboardResult,
  type BulkOffboardRow,
  type BulkOffboardRowResult,
  type BulkOffboardStage,
} from '../domain/bulk-offboarding';
import { bulkOffboardProgressQuery, bulkOffboardReportQuery } from '../domain/messages/bulk';
import { rootMessage } from '../domain/failure-types';
import { offboardWorkflowId } from '../domain/offboarding';
import * as sa from '../domain/search-attributes';
import { offboardChannel } from './offboard-channel';
import { offboardRows } from './offboard/bulk-rows';

/** Own bound for continuing as new, besides the server's suggestion and `startsPerRun`. */
const HISTORY_EVENTS = 10_000;

export async function bulkOffboard(input: BulkOffboardInput): Promise<BulkOffboardResult> {
  const rows = offboardRows(input);
  const inFlight = new Set<number>();
  let stage: BulkOffboardStage = 'offboarding';
  let finishedAt: string | undefined;
  const progress = (): BulkOffboardProgress => ({
    stage,
    workspaceId: input.workspaceId,
    total: rows.total,
    pending: rows.total - rows.nextRow,
    running: inFlight.size,
    window: input.concurrency,
    counts: rows.counts(),
    startedAt: rows.startedAt,
    finishedAt,
    continuedAsNew: rows.continuedAsNew,
  });
  const show = () => setCurrentDetails(describeBulkOffboard(progress()));
  const setStage = (next: BulkOffboardStage) => {
    stage = next;
    upsertSearchAttributes([{ key: sa.ProvisioningStage, value: `bulk-${next}` }]);
    show();
  };
  setHandler(bulkOffboardProgressQuery, progress, { description: 'Counts of the bulk offboarding run' });
  setHandler(bulkOffboardReportQuery, () => ({ progress: progress(), ...rows.results() }), {
    description: "Every row's result so far (or where the bulk store holds them)",
  });
  upsertSearchAttributes([{ key: sa.BirdWorkspaceId, value: input.workspaceId }]);
  setStage(stage);

  const offboardRow = async (row: number, value: BulkOffboardRow): Promise<void> => {
    inFlight.add(row);
    show();
    rows.record(await runChild(input, row, value));
    inFlight.delete(row);
    show();
  };

  try {
    let started = 0;
    while (rows.nextRow < rows.total) {
      const info = workflowInfo();
      if (started >= input.startsPerRun || info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS) {
        await condition(() => inFlight.size === 0);
        await rows.flush();
        return await continueAsNew<typeof bulkOffboard>(rows.next());
      }
      await condition(() => inFlight.size < input.concurrency);
      if (rows.flushDue()) await rows.flush();
      if (!rows.buffered()) await rows.readPage();
      void offboardRow(...rows.take());
      started++;
    }
    await condition(() => inFlight.size === 0);
    await rows.flush();
    finishedAt = new Date().toISOString();
    const c = rows.counts();
    upsertSearchAttributes([{ key: sa.ProvisioningOutcome, value: c.failed > 0 ? 'some-failed' : 'all-offboarded' }]);
    setStage('completed');
    return { progress: progress(), ...rows.results() };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      setStage('cancelling');
      // The children in the window were cancelled with this run's scope; their rows end `cancelled` (or with the
      // outcome they reached first).
      await condition(() => inFlight.size === 0);
      rows.notStarted();
      await rows.flush();
      finishedAt = new Date().toISOString();
      upsertSearchAttributes([{ key: sa.ProvisioningOutcome, value: 'cancelled' }]);
      setStage('cancelled');
    });
    throw err;
  }
}

/** One row's offboarding as a child; never throws: a failure is the row's outcome. */
async function runChild(input: BulkOffboardInput, row: number, value: BulkOffboardRow): Promise<BulkOffboardRowResult> {
  const key = channelKeyOfRow(input.workspaceId, value);
  const workflowId = offboardWorkflowId(key);
  try {
    const result = await executeChild(offboardChannel, {
      workflowId,
      args: [{ ...key, ...(input.confirmDeadline !== undefined ? { confirmDeadline: input.confirmDeadline } : {}) }],
      taskQueue: workflowInfo().taskQueue,
      staticSummary: `Offboard row ${value.line} of a bulk offboarding`,
      typedSearchAttributes: [
        { key: sa.BirdWorkspaceId, value: key.workspaceId },
        ...(key.phoneNumberId ? [{ key: sa.BirdPhoneNumberId, value: key.phoneNumberId }] : []),
        { key: sa.ProvisioningStage, value: 'offboarding' },
      ],
    });
    return rowResultOfOffboard(row, result);
  } catch (err) {
    if (isCancellation(err)) return { row, outcome: 'cancelled', workflowId, reason: 'the bulk run was cancelled' };
    return { row, outcome: 'failed', workflowId, reason: rootMessage(err) };
  }
}

/** The innermost cause's message: a child's failure wraps its activity's, which wraps Bird's answer. */
