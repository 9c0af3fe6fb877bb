/**
 * One run of bulkOnboard (between two continue-as-new), as state and steps, in the shape of Temporal's
 * safe-message-handlers sample: the workflow function keeps its handlers, main loop and continue-as-new, and calls
 * the steps here. The window (src/workflows/bulk-window.ts) is the state carried to the next run; what lives only in
 * this run is the batch being started, the reports that overtook their start and the inventory page read ahead.
 *
 * The steps emit their commands in the order the recorded histories hold (test/replay.test.ts): move a call and a
 * running bulk run fails its replay.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, InventoryPageRow } from '../../activities';
import { decideRow } from '../../domain/bulk-decision';
import { formatDuration } from '../../domain/duration';
import { rowResultOfReport } from '../../domain/provisioning-outcome';
import * as sa from '../../domain/search-attributes';
import { bulkStoreOptions } from '../activity-options';
import { birdActivities } from '../bird-activities';
import type { BulkOnboardInput, BulkProgress, BulkStage, BulkWindowState } from '../../domain/bulk-onboarding';
import { describeBulk } from '../bulk-describe';
import { ScheduleLearner } from '../bulk-learning';
import { newVersionAvailable } from '../bulk-upgrade';
import { BulkWindow, emptyWindow } from '../bulk-window';
import { initialSizing } from '../../domain/bulk-window-size';
import type { ProvisioningFinished } from '../../domain/provisioning';
import { indexBirdConnectors, readInventoryRows, takeBatch } from './inventory';
import { RowStarter } from './row-starter';

const { recordOutcomes } = proxyActivities<Activities>(bulkStoreOptions);

/** Outcomes are written to the store in batches of this many (and before every continue-as-new and at the end). */
const FLUSH_BATCH = 200;
/** Own bounds for continuing as new, besides the server's suggestion. */
const HISTORY_BOUND = { events: 10_000, bytes: 10_000_000 };

export class BulkRun {
  readonly window: BulkWindow;
  readonly #runKey = workflowInfo().firstExecutionRunId;
  readonly #bird: ReturnType<typeof birdActivities>;
  readonly #learner: ScheduleLearner;
  readonly #rows: RowStarter;
  #stage: BulkStage;
  #finishedAt?: string;
  /** Rows of the batch being started: no longer pending, not yet in the window. */
  #starting = 0;
  #startsThisRun = 0;
  /** Inventory rows read and not yet started. */
  #buffer: InventoryPageRow[] = [];
  /**
   * Reports that overtook their own start. A provisioning that ends fast can signal before this run has seen its
   * start resolve (or its watchOutcome signal delivered): both then come in one activation, where signals are handled
   * first, so the row is not in the window yet. Kept until the batch being started has tracked its rows (then
   * cleared, so stray reports cannot pile up); without it such a row would wait for the sweep (minutes).
   */
  readonly #earlyReports = new Map<string, ProvisioningFinished>();

  constructor(readonly input: BulkOnboardInput) {
    this.window = new BulkWindow(input.carried ?? emptyWindow(new Date().toISOString()));
    // Only runs started with a maximum adapt their window: the others start their rows as they always did.
    if (input.maxConcurrency !== undefined) this.window.state.sizing ??= initialSizing(input.concurrency);
    this.#bird = birdActivities(input.workspaceId);
    // Runs started before the bulk run learned its rows' poll schedule start every row as they did.
    this.#learner = new ScheduleLearner(this.window, patched('bulk-learns-poll-schedule'));
    this.#stage = this.window.state.indexedAt ? 'onboarding' : 'indexing';
    this.#rows = new RowStarter(input, this.window, this.#learner, this.#bird, (id, row, attached, scout, learned) =>
      this.#enter(id, row, attached, scout, learned),
    );
  }

  /** The answer to the `bulkProgress` query. */
  progress(): BulkProgress {
    const { input, window } = this;
    return {
      stage: this.#stage,
      bulkKey: input.bulkKey,
      runKey: this.#runKey,
      workspaceId: input.workspaceId,
      source: input.source,
      total: input.rows,
      invalid: input.invalid,
      pending: input.rows - window.state.nextRow,
      running: window.running + this.#starting,
      window: window.size(input.concurrency),
      counts: { ...window.state.counts },
      startedAt: window.state.startedAt,
      finishedAt: this.#finishedAt,
      continuedAsNew: window.state.continuedAsNew,
    };
  }

  /** The `provisioningFinished` signal: a row of the window (or of the batch being started) has ended. */
  reported(finished: ProvisioningFinished): void {
    const entry = this.window.state.inFlight[finished.workflowId];
    this.#learner.observe(finished, entry?.learned === true);
    if (entry) this.window.resize(finished, Date.now() - entry.since, this.input);
    if (entry) this.window.finish(finished.workflowId, rowResultOfReport(finished, entry.attached));
    else if (this.#starting > 0) this.#earlyReports.set(finished.workflowId, finished);
  }

  /** The search attributes and details a new run shows before doing anything. */
  announce(): void {
    upsertSearchAttributes([{ key: sa.BirdWorkspaceId, value: this.input.workspaceId }]);
    this.setStage(this.#stage);
  }

  setStage(next: BulkStage): void {
    this.#stage = next;
    upsertSearchAttributes([{ key: sa.ProvisioningStage, value: next }]);
    this.show();
  }

  show(): void {
    setCurrentDetails(describeBulk(this.progress()));
  }

  /** Bird's connectors of the inventory's templates, once per bulk run. */
  async indexBirdConnectors(): Promise<void> {
    if (this.window.state.indexedAt) return;
    const getPerSecond = await indexBirdConnectors(this.#bird, this.input, this.#runKey);
    const { sizing } = this.window.state;
    if (sizing && getPerSecond !== undefined) sizing.getPerSecond = getPerSecond;
    this.window.state.indexedAt = new Date().toISOString();
  }

  // Once a new deployment version is current, no more rows start on this build: the run moves (bulk-upgrade.ts).
  mayStartMore(): boolean {
    return (
      this.#room() > 0 &&
      this.#moreRows() &&
      this.#startsThisRun < this.input.startsPerRun &&
      this.#learner.startable() > 0 &&
      !newVersionAvailable()
    );
  }

  /** Every row is handled and no provisioning is left in the window. */
  allDone(): boolean {
    return !this.#moreRows() && this.window.running === 0;
  }

  shouldContinueAsNew(): boolean {
    const now = workflowInfo();
    return (
      this.#startsThisRun >= this.input.startsPerRun ||
      now.continueAsNewSuggested ||
      now.historyLength > HISTORY_BOUND.events ||
      now.historySize > HISTORY_BOUND.bytes ||
      (this.#moreRows() && newVersionAvailable())
    );
  }

  /** Starts (or decides) the next batch of rows, reading a page of the inventory when none is left. */
  async startBatch(): Promise<void> {
    const { input, window } = this;
    if (!this.#buffer.length) this.#buffer = await this.#readPage();
    const batch = takeBatch(
      this.#buffer,
      Math.min(this.#room(), input.startsPerRun - this.#startsThisRun, this.#learner.startable()),
    );
    window.state.nextRow += batch.length;
    this.#starting = batch.length;
    // Not cancellable: a cancellation lands between batches, never between a child's start and its tracking.
    // Each row leaves `starting` once handled (in the window or decided), so progress never counts it twice.
    const started = await CancellationScope.nonCancellable(() =>
      Promise.all(
        batch.map((row) =>
          this.#rows
            .carryOut(row, decideRow(row, window.state.indexedAt, input.createAgain))
            .finally(() => this.#starting--),
        ),
      ),
    ).finally(() => this.#earlyReports.clear());
    this.#startsThisRun += started.filter(Boolean).length;
    this.show();
    await this.flush(false);
  }

  /** Waits for reports (or for room to start more); looks up the silent provisionings when none came in time. */
  async awaitReports(): Promise<void> {
    const { input, window } = this;
    const woke = await condition(
      () =>
        this.mayStartMore() ||
        window.state.unflushed.length >= FLUSH_BATCH ||
        this.allDone() ||
        (this.#moreRows() && newVersionAvailable()),
      input.sweepIntervalMs,
      {
        summary: `wait for ${window.running} provisioning(s) to report (look up the silent ones after ${formatDuration(input.sweepIntervalMs)})`,
      },
    );
    if (!woke) await this.#rows.sweep();
    this.show();
    await this.flush(false);
  }

  /** Writes the outcomes not yet stored: a full batch, or (force) whatever there is. */
  async flush(force: boolean): Promise<void> {
    if (!force && this.window.state.unflushed.length < FLUSH_BATCH) return;
    const { seq, outcomes } = this.window.takeUnflushed();
    if (!outcomes.length) return;
    await CancellationScope.nonCancellable(() =>
      recordOutcomes.executeWithOptions({ summary: `record ${outcomes.length} outcomes (batch ${seq + 1})` }, [
        { bulkKey: this.input.bulkKey, runKey: this.#runKey, seq, outcomes },
      ]),
    );
  }

  /** The window the next run continues with. */
  carried(): BulkWindowState {
    return { ...this.window.state, continuedAsNew: this.window.state.continuedAsNew + 1 };
  }

  /** The last step of a run that handled every row. */
  async complete(): Promise<BulkProgress> {
    await this.flush(true);
    this.#finishedAt = new Date().toISOString();
    const c = this.window.state.counts;
    upsertSearchAttributes([
      { key: sa.ProvisioningOutcome, value: c.failed + c.cancelled + c.notStarted > 0 ? 'some-failed' : 'all-active' },
    ]);
    this.setStage('completed');
    return this.progress();
  }

  /**
   * The bulk run was cancelled: cancel the provisionings it started (they compensate and report `cancelled`), stop
   * watching those started elsewhere, and leave the rows never handled untouched (`not-started` in the report).
   */
  async cancel(): Promise<void> {
    const { input, window } = this;
    this.setStage('cancelling');
    for (const [id, entry] of window.inFlight()) {
      // Not ours: a provisioning someone else started keeps running; this bulk run only stops watching it.
      if (entry.attached)
        window.finish(id, { outcome: 'not-started', reason: 'left running: its provisioning was started elsewhere' });
    }
    await Promise.all(
      window.inFlight().map(([id]) =>
        getExternalWorkflowHandle(id)
          .cancel()
          .catch(() => undefined),
      ),
    );
    while (window.running > 0) {
      const done = await condition(
        () => window.running === 0 || window.state.unflushed.length >= FLUSH_BATCH,
        input.sweepIntervalMs,
        {
          summary: `wait for ${window.running} cancelled provisioning(s) to compensate`,
        },
      );
      if (!done) await this.#rows.sweep();
      this.show();
      await this.flush(false);
    }
    await this.flush(true);
    window.state.counts.notStarted += input.rows - window.state.nextRow;
    window.state.nextRow = input.rows;
    this.#finishedAt = new Date().toISOString();
    upsertSearchAttributes([{ key: sa.ProvisioningOutcome, value: 'cancelled' }]);
    this.setStage('cancelled');
  }

  /** A row enters the window; a report that arrived before it (see #earlyReports) finishes it at once. */
  #enter(workflowId: string, row: number, attached: boolean, scout: boolean, learned = false): void {
    this.window.track(workflowId, row, attached, Date.now(), scout, learned);
    const early = this.#earlyReports.get(workflowId);
    // Runs recorded without the early-report inbox keep dropping such a report when replayed (their sweep finds it).
    if (early && patched('bulk-early-reports')) {
      this.#earlyReports.delete(workflowId);
      this.window.finish(workflowId, rowResultOfReport(early, attached));
    }
  }

  #readPage(): Promise<InventoryPageRow[]> {
    return readInventoryRows(this.input, this.#runKey, this.window.state.nextRow);
  }

  #room(): number {
    return this.window.size(this.input.concurrency) - this.window.running;
  }

  #moreRows(): boolean {
    return this.window.state.nextRow < this.input.rows;
  }
}
