/**
 * bulkOffboard: offboards every row of a file (a number, or a template and name) as offboardChannel children in a
 * sliding window of bounded concurrency, and reports what became of each row.
 *
 * - The window bounds how many offboardings run at once; each one's Bird calls also wait on the workspace's
 *   rate-limited queues (src/bird/rate-limits/queues.ts), so a large window cannot flood Bird, only queue longer.
 * - Each run starts at most `startsPerRun` children, lets its window drain, and continues as new carrying the rows'
 *   results: a run's history stays a few thousand events whatever the file's size.
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
  countOutcomes,
  describeBulkOffboard,
  rowResultOfOffboard,
  type BulkOffboardCarried,
  type BulkOffboardInput,
  type BulkOffboardProgress,
  type BulkOffboardResult,
  type BulkOffboardRowResult,
  type BulkOffboardStage,
} from '../domain/bulk-offboarding';
import { bulkOffboardProgressQuery, bulkOffboardReportQuery } from '../domain/messages/bulk';
import { offboardWorkflowId } from '../domain/offboarding';
import * as sa from '../domain/search-attributes';
import { offboardChannel } from './offboard-channel';

/** Own bound for continuing as new, besides the server's suggestion and `startsPerRun`. */
const HISTORY_EVENTS = 10_000;

export async function bulkOffboard(input: BulkOffboardInput): Promise<BulkOffboardResult> {
  const state: BulkOffboardCarried = input.carried ?? {
    nextRow: 0,
    results: [],
    startedAt: new Date().toISOString(),
    continuedAsNew: 0,
  };
  const inFlight = new Set<number>();
  let stage: BulkOffboardStage = 'offboarding';
  let finishedAt: string | undefined;
  const progress = (): BulkOffboardProgress => ({
    stage,
    workspaceId: input.workspaceId,
    total: input.rows.length,
    pending: input.rows.length - state.nextRow,
    running: inFlight.size,
    window: input.concurrency,
    counts: countOutcomes(state.results),
    startedAt: state.startedAt,
    finishedAt,
    continuedAsNew: state.continuedAsNew,
  });
  const show = () => setCurrentDetails(describeBulkOffboard(progress()));
  const setStage = (next: BulkOffboardStage) => {
    stage = next;
    upsertSearchAttributes([{ key: sa.ProvisioningStage, value: `bulk-${next}` }]);
    show();
  };
  setHandler(bulkOffboardProgressQuery, progress, { description: 'Counts of the bulk offboarding run' });
  setHandler(bulkOffboardReportQuery, () => ({ progress: progress(), results: sorted(state.results) }), {
    description: "Every row's result so far",
  });
  upsertSearchAttributes([{ key: sa.BirdWorkspaceId, value: input.workspaceId }]);
  setStage(stage);

  const offboardRow = async (row: number): Promise<void> => {
    inFlight.add(row);
    show();
    state.results.push(await runChild(input, row));
    inFlight.delete(row);
    show();
  };

  try {
    let started = 0;
    while (state.nextRow < input.rows.length) {
      const info = workflowInfo();
      if (started >= input.startsPerRun || info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS) {
        await condition(() => inFlight.size === 0);
        return await continueAsNew<typeof bulkOffboard>({
          ...input,
          carried: { ...state, continuedAsNew: state.continuedAsNew + 1 },
        });
      }
      await condition(() => inFlight.size < input.concurrency);
      void offboardRow(state.nextRow++);
      started++;
    }
    await condition(() => inFlight.size === 0);
    finishedAt = new Date().toISOString();
    const c = countOutcomes(state.results);
    upsertSearchAttributes([{ key: sa.ProvisioningOutcome, value: c.failed > 0 ? 'some-failed' : 'all-offboarded' }]);
    setStage('completed');
    return { progress: progress(), results: sorted(state.results) };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      setStage('cancelling');
      // The children in the window were cancelled with this run's scope; their rows end `cancelled` (or with the
      // outcome they reached first).
      await condition(() => inFlight.size === 0);
      for (; state.nextRow < input.rows.length; state.nextRow++)
        state.results.push({
          row: state.nextRow,
          outcome: 'not-started',
          workflowId: offboardWorkflowId(channelKeyOfRow(input.workspaceId, input.rows[state.nextRow]!)),
        });
      finishedAt = new Date().toISOString();
      upsertSearchAttributes([{ key: sa.ProvisioningOutcome, value: 'cancelled' }]);
      setStage('cancelled');
    });
    throw err;
  }
}

/** One row's offboarding as a child; never throws: a failure is the row's outcome. */
async function runChild(input: BulkOffboardInput, row: number): Promise<BulkOffboardRowResult> {
  const key = channelKeyOfRow(input.workspaceId, input.rows[row]!);
  const workflowId = offboardWorkflowId(key);
  try {
    const result = await executeChild(offboardChannel, {
      workflowId,
      args: [{ ...key, ...(input.confirmDeadline !== undefined ? { confirmDeadline: input.confirmDeadline } : {}) }],
      taskQueue: workflowInfo().taskQueue,
      staticSummary: `Offboard row ${input.rows[row]!.line} of a bulk offboarding`,
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

function sorted(results: BulkOffboardRowResult[]): BulkOffboardRowResult[] {
  return [...results].sort((a, b) => a.row - b.row);
}

/** The innermost cause's message: a child's failure wraps its activity's, which wraps Bird's answer. */
function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
