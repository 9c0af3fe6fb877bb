/**
 * bulkOnboard: provisions every number of a stored inventory as `provisionChannel` children, in a sliding window of
 * bounded concurrency, and records what became of each.
 *
 * Built to stay far below Temporal's limits whatever the inventory's size (10,000 numbers and more):
 * - The inventory is never one payload: the workflow holds the store key, and an activity reads it a page at a time.
 * - Each run starts at most `startsPerRun` children, then continues-as-new carrying only the window (the rows in
 *   flight, the counts, the next row): a run's history stays a few thousand events, far from the 51,200-event and
 *   50 MB limits, and its pending children far below the 2,000 per run the server allows.
 * - Children are started with ParentClosePolicy.ABANDON, so they outlive the run that started them, and report their
 *   outcome by a signal to the bulk run's workflow id, which reaches whichever run is current (the pattern of
 *   Temporal's batch-sliding-window sample). A periodic sweep looks up those that have not reported (terminated, or a
 *   report that raced a run's end), so no row waits forever.
 * - Outcomes are written to the store in batches; the report is built from them, not from the history.
 *
 * Children keep their usual deterministic ids, so a number onboarded in bulk is the run a single `provision` would
 * attach to: a number whose provisioning is running is watched, not started again; one whose provisioning completed,
 * or that Bird already has an active connector for, is `already-active`.
 *
 * Cancelling the bulk run cancels the children in its window (they compensate and report `cancelled`); rows never
 * started stay untouched and are `not-started` in the report.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities, InventoryPageRow } from '../activities';
import { decideKnownConnector, decideRow, type ProvisioningSnapshot, type RowDecision } from '../domain/bulk-decision';
import type { RowOutcome } from '../domain/bulk-report';
import { formatDuration } from '../domain/duration';
import { withoutStack } from '../domain/failure-types';
import { provisioningStartOptions } from '../domain/provisioning-start';
import * as sa from '../domain/search-attributes';
import { bulkStoreOptions } from './activity-options';
import { birdActivities } from './bird-activities';
import { bulkProgressQuery, type BulkOnboardInput, type BulkOnboardResult, type BulkProgress, type BulkStage } from './bulk-definitions';
import { describeBulk } from './bulk-describe';
import { ScheduleLearner } from './bulk-learning';
import { continueAsNewFollowingUpgrades, newVersionAvailable } from './bulk-upgrade';
import { BulkWindow, emptyWindow } from './bulk-window';
import { messageOf } from './compensation';
import { provisioningFinishedSignal, watchOutcomeSignal, type ProvisioningFinished } from './definitions';
import { provisionChannel } from './provision-channel';

const { readInventoryPage, describeProvisionings, recordOutcomes } = proxyActivities<Activities>(bulkStoreOptions);

/** Outcomes are written to the store in batches of this many (and before every continue-as-new and at the end). */
const FLUSH_BATCH = 200;
/** Children started in one workflow task: their inputs travel in its completion, which must stay far below 4 MB. */
const START_BATCH = { rows: 100, bytes: 1_000_000 };
/** Own bounds for continuing as new, besides the server's suggestion. */
const HISTORY_BOUND = { events: 10_000, bytes: 10_000_000 };
/** Snapshots per lookup activity. */
const LOOKUP_BATCH = 100;

export async function bulkOnboard(input: BulkOnboardInput): Promise<BulkOnboardResult> {
  const info = workflowInfo();
  const runKey = info.firstExecutionRunId;
  const window = new BulkWindow(input.carried ?? emptyWindow(new Date().toISOString()));
  const bird = birdActivities(input.workspaceId);
  // Runs started before the bulk run learned its rows' poll schedule start every row as they did.
  const learner = new ScheduleLearner(window, patched('bulk-learns-poll-schedule'));
  let stage: BulkStage = window.state.indexedAt ? 'onboarding' : 'indexing';
  let finishedAt: string | undefined;
  /** Rows of the batch being started: no longer pending, not yet in the window. */
  let starting = 0;
  /**
   * Reports that overtook their own start. A provisioning that ends fast can signal before this run has seen its
   * start resolve (or its watchOutcome signal delivered): both then come in one activation, where signals are handled
   * first, so the row is not in the window yet. Kept until the batch being started has tracked its rows (then
   * cleared, so stray reports cannot pile up); without it such a row would wait for the sweep (minutes).
   */
  const earlyReports = new Map<string, ProvisioningFinished>();

  const progress = (): BulkProgress => ({
    stage,
    bulkKey: input.bulkKey,
    runKey,
    workspaceId: input.workspaceId,
    source: input.source,
    total: input.rows,
    invalid: input.invalid,
    pending: input.rows - window.state.nextRow,
    running: window.running + starting,
    counts: { ...window.state.counts },
    startedAt: window.state.startedAt,
    finishedAt,
    continuedAsNew: window.state.continuedAsNew,
  });
  setHandler(bulkProgressQuery, progress, { description: 'Counts of the bulk run: pending, running, active, failed, compensated…' });
  setHandler(
    provisioningFinishedSignal,
    (finished: ProvisioningFinished) => {
      learner.observe(finished);
      const entry = window.state.inFlight[finished.workflowId];
      if (entry) window.finish(finished.workflowId, outcomeOfFinished(finished, entry.attached));
      else if (starting > 0) earlyReports.set(finished.workflowId, finished);
    },
    { description: 'A provisioning of this bulk run (or one it watches) has ended.' },
  );
  const show = () => setCurrentDetails(describeBulk(progress()));
  const setStage = (next: BulkStage) => {
    stage = next;
    upsertSearchAttributes([{ key: sa.ProvisioningStage, value: next }]);
    show();
  };
  upsertSearchAttributes([{ key: sa.BirdWorkspaceId, value: input.workspaceId }]);
  setStage(stage);

  const flush = async (force: boolean) => {
    if (!force && window.state.unflushed.length < FLUSH_BATCH) return;
    const { seq, outcomes } = window.takeUnflushed();
    if (!outcomes.length) return;
    await CancellationScope.nonCancellable(() =>
      recordOutcomes.executeWithOptions({ summary: `record ${outcomes.length} outcomes (batch ${seq + 1})` }, [{ bulkKey: input.bulkKey, runKey, seq, outcomes }]),
    );
  };

  /** Looks up provisionings by id (those that have not reported, or that a start found already there). */
  const lookUp = async (workflowIds: string[]): Promise<Record<string, ProvisioningSnapshot>> => {
    const found: Record<string, ProvisioningSnapshot> = {};
    for (let i = 0; i < workflowIds.length; i += LOOKUP_BATCH) {
      const chunk = workflowIds.slice(i, i + LOOKUP_BATCH);
      Object.assign(found, await describeProvisionings.executeWithOptions({ summary: `look up ${chunk.length} provisioning run(s)` }, [{ workflowIds: chunk }]));
    }
    return found;
  };

  /** Finishes, from a lookup, the provisionings that ended without their report reaching this run. */
  const sweep = async () => {
    const waiting = window.waitingLongerThan(input.sweepIntervalMs, Date.now());
    if (!waiting.length) return;
    const found = await CancellationScope.nonCancellable(() => lookUp(waiting));
    for (const id of waiting) {
      const entry = window.state.inFlight[id];
      if (!entry) continue; // its report arrived meanwhile
      const snapshot = found[id];
      if (!snapshot) {
        window.finish(id, { outcome: 'failed', reason: 'its provisioning run no longer exists (deleted?)' });
      } else if (snapshot.status !== 'RUNNING') {
        window.finish(id, outcomeOfSnapshot(snapshot, entry.attached));
      } else {
        entry.since = Date.now(); // still running: look again after another interval
      }
    }
  };

  /** A row enters the window; a report that arrived before it (see earlyReports) finishes it at once. */
  const enter = (workflowId: string, row: number, attached: boolean, scout = false) => {
    window.track(workflowId, row, attached, Date.now(), scout);
    const early = earlyReports.get(workflowId);
    // Runs that dropped such a report before this change keep doing so when replayed (and wait for their sweep).
    if (early && patched('bulk-early-reports')) {
      earlyReports.delete(workflowId);
      window.finish(workflowId, outcomeOfFinished(early, attached));
    }
  };

  const record = (row: InventoryPageRow, decision: Extract<RowDecision, { action: 'done' }>) =>
    window.record({ row: row.row, workflowId: row.workflowId, outcome: decision.outcome, connectorId: decision.connectorId, channelId: decision.channelId, reason: decision.reason });

  /** Watches a provisioning started elsewhere; if it ended meanwhile, decides from its outcome. */
  const attach = async (row: InventoryPageRow): Promise<void> => {
    try {
      await getExternalWorkflowHandle(row.workflowId).signal(watchOutcomeSignal, { watcherWorkflowId: info.workflowId });
      enter(row.workflowId, row.row, true);
    } catch {
      const snapshot = (await lookUp([row.workflowId]))[row.workflowId];
      await carryOut(row, decideRow({ provisioning: snapshot, existing: row.existing }, window.state.indexedAt), false);
    }
  };

  /** Starts the number's provisioning; true if a child was started. */
  const start = async (row: InventoryPageRow): Promise<boolean> => {
    const { input: childInput, scout } = learner.prepare(row);
    const { workflowId, ...startOptions } = provisioningStartOptions(childInput);
    try {
      await startChild(provisionChannel, {
        ...startOptions,
        workflowId,
        args: [childInput],
        taskQueue: info.taskQueue,
        // Children outlive this run (continue-as-new) and report back by signal; see the module comment.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      enter(workflowId, row.row, false, scout);
      return true;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Started (or completed) elsewhere since the page was read: look again, never start twice.
      const snapshot = (await lookUp([workflowId]))[workflowId];
      await carryOut(row, decideRow({ provisioning: snapshot, existing: row.existing }, window.state.indexedAt), false);
      return false;
    }
  };

  /** Does what the decision says; `mayStart` is false once a start has been refused for this row. */
  const carryOut = async (row: InventoryPageRow, decision: RowDecision, mayStart = true): Promise<boolean> => {
    switch (decision.action) {
      case 'start':
        if (mayStart) return start(row);
        record(row, { action: 'done', outcome: 'failed', reason: 'its provisioning could not be started (a run with its id exists but is neither running nor completed); retry the row' });
        return false;
      case 'attach':
        await attach(row);
        return false;
      case 'check-bird': {
        const connectorId = decision.connector.connectorId;
        try {
          const status = await bird.getChannelReadiness.executeWithOptions({ summary: `status of existing connector ${connectorId} for row ${row.line}` }, [
            { workspaceId: input.workspaceId, connectorId },
          ]);
          record(row, decideKnownConnector(decision.connector, { status: status.status, stage: status.stage, channelId: status.channelId }) as Extract<RowDecision, { action: 'done' }>);
        } catch (err) {
          // Gone since it was indexed (404), or unreadable: the provisioning itself will find out (409 or not).
          log.info('existing connector could not be read; starting the provisioning', { connectorId, error: messageOf(err) });
          return mayStart ? start(row) : false;
        }
        return false;
      }
      case 'done':
        record(row, decision);
        return false;
    }
  };

  let startsThisRun = 0;
  let buffer: InventoryPageRow[] = [];
  const room = () => input.concurrency - window.running;
  const moreRows = () => window.state.nextRow < input.rows;
  // Once a new deployment version is current, no more rows start on this build: the run moves (src/workflows/bulk-upgrade.ts).
  const mayStartMore = () =>
    room() > 0 && moreRows() && startsThisRun < input.startsPerRun && learner.startable() > 0 && !newVersionAvailable();
  const shouldContinueAsNew = () => {
    const now = workflowInfo();
    return (
      startsThisRun >= input.startsPerRun || now.continueAsNewSuggested || now.historyLength > HISTORY_BOUND.events || now.historySize > HISTORY_BOUND.bytes || (moreRows() && newVersionAvailable())
    );
  };
  const continueWithWindow = async (): Promise<never> => {
    await flush(true);
    // Signals that arrived meanwhile are handled before the state is handed over (the server also refuses a
    // continue-as-new while new events are pending).
    await condition(allHandlersFinished);
    return continueAsNewFollowingUpgrades<typeof bulkOnboard>({ ...input, carried: { ...window.state, continuedAsNew: window.state.continuedAsNew + 1 } });
  };

  try {
    if (!window.state.indexedAt) {
      await indexBirdConnectors(input, runKey, bird.indexConnectorsPage);
      window.state.indexedAt = new Date().toISOString();
    }
    setStage('onboarding');
    for (;;) {
      while (mayStartMore()) {
        if (!buffer.length) {
          buffer = await readInventoryPage.executeWithOptions({ summary: `read rows ${window.state.nextRow + 1}–${Math.min(window.state.nextRow + input.pageSize, input.rows)} of ${input.rows}` }, [
            { bulkKey: input.bulkKey, runKey, offset: window.state.nextRow, limit: input.pageSize, maxBytes: START_BATCH.bytes },
          ]);
          if (!buffer.length) throw withoutStack(ApplicationFailure.nonRetryable(`the stored inventory ends at row ${window.state.nextRow} of ${input.rows}`, 'BulkInventoryCorrupt'));
        }
        const batch = takeBatch(buffer, Math.min(room(), input.startsPerRun - startsThisRun, learner.startable()));
        window.state.nextRow += batch.length;
        starting = batch.length;
        // Not cancellable: a cancellation lands between batches, never between a child's start and its tracking.
        // Each row leaves `starting` once handled (in the window or decided), so progress never counts it twice.
        const started = await CancellationScope.nonCancellable(() =>
          Promise.all(batch.map((row) => carryOut(row, decideRow(row, window.state.indexedAt)).finally(() => starting--))),
        ).finally(() => earlyReports.clear());
        startsThisRun += started.filter(Boolean).length;
        show();
        await flush(false);
      }
      if (!moreRows() && window.running === 0) break;
      if (shouldContinueAsNew()) return await continueWithWindow();
      const woke = await condition(
        () => mayStartMore() || window.state.unflushed.length >= FLUSH_BATCH || (!moreRows() && window.running === 0) || (moreRows() && newVersionAvailable()),
        input.sweepIntervalMs,
        { summary: `wait for ${window.running} provisioning(s) to report (look up the silent ones after ${formatDuration(input.sweepIntervalMs)})` },
      );
      if (!woke) await sweep();
      show();
      await flush(false);
    }
    await flush(true);
    finishedAt = new Date().toISOString();
    const c = window.state.counts;
    upsertSearchAttributes([{ key: sa.ProvisioningOutcome, value: c.failed + c.cancelled + c.notStarted > 0 ? 'some-failed' : 'all-active' }]);
    setStage('completed');
    return { progress: progress() };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      setStage('cancelling');
      for (const [id, entry] of window.inFlight()) {
        // Not ours: a provisioning someone else started keeps running; this bulk run only stops watching it.
        if (entry.attached) window.finish(id, { outcome: 'not-started', reason: 'left running: its provisioning was started elsewhere' });
      }
      await Promise.all(window.inFlight().map(([id]) => getExternalWorkflowHandle(id).cancel().catch(() => undefined)));
      while (window.running > 0) {
        const done = await condition(() => window.running === 0 || window.state.unflushed.length >= FLUSH_BATCH, input.sweepIntervalMs, {
          summary: `wait for ${window.running} cancelled provisioning(s) to compensate`,
        });
        if (!done) await sweep();
        show();
        await flush(false);
      }
      await flush(true);
      // Rows never handled stay untouched: the report shows them as not-started.
      window.state.counts.notStarted += input.rows - window.state.nextRow;
      window.state.nextRow = input.rows;
      finishedAt = new Date().toISOString();
      upsertSearchAttributes([{ key: sa.ProvisioningOutcome, value: 'cancelled' }]);
      setStage('cancelled');
    });
    throw err;
  }
}

/** Bird's connectors of the inventory's templates, a page (one GET) per activity, into the store's index. */
async function indexBirdConnectors(
  input: BulkOnboardInput,
  runKey: string,
  indexConnectorsPage: ReturnType<typeof birdActivities>['indexConnectorsPage'],
): Promise<void> {
  let page = 0;
  for (const templateRef of input.templateRefs) {
    let pageToken: string | undefined;
    do {
      const r = await indexConnectorsPage.executeWithOptions({ summary: `index Bird's existing ${templateRef} connectors, page ${page + 1}` }, [
        { bulkKey: input.bulkKey, runKey, workspaceId: input.workspaceId, templateRef, page, pageToken },
      ]);
      pageToken = r.nextPageToken;
      page++;
    } while (pageToken);
  }
}

/** The next rows to start: at most `room` of them, and no more input bytes than one workflow task should carry. */
function takeBatch(buffer: InventoryPageRow[], room: number): InventoryPageRow[] {
  let bytes = 0;
  let n = 0;
  while (n < buffer.length && n < room && n < START_BATCH.rows) {
    bytes += JSON.stringify(buffer[n]!.input).length;
    if (n > 0 && bytes > START_BATCH.bytes) break;
    n++;
  }
  return buffer.splice(0, n);
}

function outcomeOfFinished(f: ProvisioningFinished, attached: boolean): Omit<RowOutcome, 'row' | 'workflowId'> {
  const reason = f.outcome === 'active' && attached ? 'provisioned by a run started elsewhere (this bulk run waited for it)' : f.reason;
  return { outcome: f.outcome, connectorId: f.connectorId, channelId: f.channelId, reason, compensated: f.compensated };
}

function outcomeOfSnapshot(s: ProvisioningSnapshot, attached: boolean): Omit<RowOutcome, 'row' | 'workflowId'> {
  switch (s.status) {
    case 'COMPLETED':
      return outcomeOfFinished({ workflowId: '', outcome: 'active', connectorId: s.connectorId, channelId: s.channelId }, attached);
    case 'CANCELLED':
      return { outcome: 'cancelled', reason: s.reason ?? 'cancelled' };
    default:
      return { outcome: 'failed', connectorId: s.connectorId, reason: s.reason ?? `its provisioning ended ${s.status.toLowerCase()}`, compensated: s.compensated };
  }
}
