/**
 * Who is told when a provisioning ends. A bulk run starts its children with ParentClosePolicy.ABANDON and
 * continues-as-new as it goes, so it cannot rely on awaiting a child's result: the child's handle belongs to the run
 * that started it. Instead the child signals its parent by workflow id (which reaches the parent's current run), as
 * in Temporal's batch-sliding-window sample. A bulk run that finds a number's provisioning already running (started
 * elsewhere) asks it to do the same with `watchOutcome`.
 *
 * Nothing here adds a command to a run that has no parent and no watcher, so single provisionings are unchanged.
 */
import {
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { MAX_OUTCOME_WATCHERS, type ProvisioningFinished } from '../domain/provisioning';
import { provisioningFinishedSignal, watchOutcomeSignal } from '../domain/messages/provisioning';

export class OutcomeWatchers {
  readonly #watchers: string[] = [];
  readonly #notified = new Set<string>();

  constructor() {
    const parent = workflowInfo().parent;
    if (parent) this.#watchers.push(parent.workflowId);
    setHandler(
      watchOutcomeSignal,
      ({ watcherWorkflowId }) => {
        if (typeof watcherWorkflowId !== 'string' || this.#watchers.includes(watcherWorkflowId)) return;
        if (this.#watchers.length >= MAX_OUTCOME_WATCHERS) {
          log.warn('outcome watcher refused: too many watchers', { watcherWorkflowId });
          return;
        }
        this.#watchers.push(watcherWorkflowId);
      },
      { description: 'Ask this provisioning to signal provisioningFinished to the given workflow when it ends.' },
    );
  }

  /**
   * Tells every watcher, even when the run was cancelled. A watcher that has gone away is skipped (it will look the
   * outcome up itself). Loops until no watcher that arrived meanwhile is left untold.
   */
  async notify(finished: ProvisioningFinished): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      for (;;) {
        const pending = this.#watchers.filter((w) => !this.#notified.has(w));
        if (!pending.length) return;
        for (const w of pending) this.#notified.add(w);
        await Promise.all(
          pending.map((w) =>
            getExternalWorkflowHandle(w)
              .signal(provisioningFinishedSignal, finished)
              .catch((err: unknown) =>
                log.info('outcome watcher not reachable', { watcher: w, error: (err as Error).message }),
              ),
          ),
        );
        // A watchOutcome signal delivered while we were signalling is handled before the run may end.
        await condition(allHandlersFinished);
      }
    });
  }
}
