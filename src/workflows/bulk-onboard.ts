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
import { CancellationScope, allHandlersFinished, condition, isCancellation, setHandler } from '@temporalio/workflow';
import { type BulkOnboardInput, type BulkOnboardResult } from '../domain/bulk-onboarding';
import { bulkProgressQuery } from '../domain/messages/bulk';
import { BulkRun } from './bulk/bulk-run';
import { continueAsNewFollowingUpgrades } from './bulk-upgrade';
import { type ProvisioningFinished } from '../domain/provisioning';
import { provisioningFinishedSignal } from '../domain/messages/provisioning';

export async function bulkOnboard(input: BulkOnboardInput): Promise<BulkOnboardResult> {
  const run = new BulkRun(input);
  setHandler(bulkProgressQuery, () => run.progress(), {
    description: 'Counts of the bulk run: pending, running, active, failed, compensated…',
  });
  setHandler(provisioningFinishedSignal, (finished: ProvisioningFinished) => run.reported(finished), {
    description: 'A provisioning of this bulk run (or one it watches) has ended.',
  });
  run.announce();

  try {
    await run.indexBirdConnectors();
    run.setStage('onboarding');
    for (;;) {
      while (run.mayStartMore()) await run.startBatch();
      if (run.allDone()) break;
      if (run.shouldContinueAsNew()) return await continueWithWindow(run);
      await run.awaitReports();
    }
    return { progress: await run.complete() };
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() => run.cancel());
    throw err;
  }
}

/** Hands the window to the next run: outcomes flushed, signal handlers done, onto the current build if it changed. */
async function continueWithWindow(run: BulkRun): Promise<never> {
  await run.flush(true);
  // Signals that arrived meanwhile are handled before the state is handed over (the server also refuses a
  // continue-as-new while new events are pending).
  await condition(allHandlersFinished);
  return continueAsNewFollowingUpgrades<typeof bulkOnboard>({ ...run.input, carried: run.carried() });
}
