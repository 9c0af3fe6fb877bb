/**
 * What a bulk run does with one row of its inventory, and with the rows whose report never came: start its
 * provisioning as a child, watch one started elsewhere, read a connector Bird already has, or record the decision;
 * and look up, in batches, the provisionings that have not reported. The rule (which of these) is the pure
 * `decideRow`; this carries it out.
 */
import {
  CancellationScope,
  ParentClosePolicy,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities, InventoryPageRow } from '../../activities';
import {
  decideKnownConnector,
  decideRow,
  type ProvisioningSnapshot,
  type RowDecision,
} from '../../domain/bulk-decision';
import { rowResultOfSnapshot } from '../../domain/provisioning-outcome';
import { provisioningStartOptions } from '../../domain/provisioning-start';
import { idempotencyTag } from '../../domain/idempotency';
import { bulkStoreOptions } from '../activity-options';
import type { birdActivities } from '../bird-activities';
import type { BulkOnboardInput } from '../../domain/bulk-onboarding';
import type { ScheduleLearner } from '../bulk-learning';
import type { BulkWindow } from '../bulk-window';
import { messageOf } from '../compensation';
import { watchOutcomeSignal } from '../../domain/messages/provisioning';
import { provisionChannel } from '../provision-channel';

const { describeProvisionings } = proxyActivities<Activities>(bulkStoreOptions);

/** Snapshots per lookup activity. */
const LOOKUP_BATCH = 100;

type Decided = Extract<RowDecision, { action: 'done' }>;
/** Puts a provisioning into the window (BulkRun's, which also settles a report that came before it). */
export type Enter = (workflowId: string, row: number, attached: boolean, scout: boolean, learned?: boolean) => void;

export class RowStarter {
  readonly #info = workflowInfo();

  constructor(
    readonly input: BulkOnboardInput,
    readonly window: BulkWindow,
    readonly learner: ScheduleLearner,
    readonly bird: ReturnType<typeof birdActivities>,
    readonly enter: Enter,
  ) {}

  /** Does what the decision says; true if a child was started. `mayStart` is false once a start was refused. */
  async carryOut(row: InventoryPageRow, decision: RowDecision, mayStart = true): Promise<boolean> {
    switch (decision.action) {
      case 'start':
        if (mayStart) return this.#start(row);
        this.#record(row, {
          action: 'done',
          outcome: 'failed',
          reason:
            'its provisioning could not be started (a run with its id exists but is neither running nor completed); retry the row',
        });
        return false;
      case 'attach':
        await this.#attach(row);
        return false;
      case 'check-bird':
        return this.#checkBird(row, decision.connector, mayStart);
      case 'done':
        this.#record(row, decision);
        return false;
    }
  }

  /** Finishes, from a lookup, the provisionings that ended without their report reaching this run. */
  async sweep(): Promise<void> {
    const { window } = this;
    const waiting = window.waitingLongerThan(this.input.sweepIntervalMs, Date.now());
    if (!waiting.length) return;
    const found = await CancellationScope.nonCancellable(() => this.#lookUp(waiting));
    for (const id of waiting) {
      const entry = window.state.inFlight[id];
      if (!entry) continue; // its report arrived meanwhile
      const snapshot = found[id];
      if (!snapshot) {
        window.finish(id, { outcome: 'failed', reason: 'its provisioning run no longer exists (deleted?)' });
      } else if (snapshot.status !== 'RUNNING') {
        window.finish(id, rowResultOfSnapshot(snapshot, entry.attached));
      } else {
        entry.since = Date.now(); // still running: look again after another interval
      }
    }
  }

  /** Starts the number's provisioning; true if a child was started. */
  async #start(row: InventoryPageRow): Promise<boolean> {
    const { input: childInput, scout, learned } = this.learner.prepare(row);
    const { workflowId, ...startOptions } = provisioningStartOptions(childInput, idempotencyTag(uuid4()));
    try {
      await startChild(provisionChannel, {
        ...startOptions,
        workflowId,
        // An apply's create child provisions again a number whose completed run's connector is gone.
        ...(this.input.createAgain ? { workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const } : {}),
        taskQueue: this.#info.taskQueue,
        // Children outlive this run (continue-as-new) and report back by signal to the bulk run's id.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      this.enter(workflowId, row.row, false, scout, learned);
      return true;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Started (or completed) elsewhere since the page was read: look again, never start twice.
      await this.#decideAgain(row, workflowId);
      return false;
    }
  }

  /** Watches a provisioning started elsewhere; if it ended meanwhile, decides from its outcome. */
  async #attach(row: InventoryPageRow): Promise<void> {
    try {
      await getExternalWorkflowHandle(row.workflowId).signal(watchOutcomeSignal, {
        watcherWorkflowId: this.#info.workflowId,
      });
      this.enter(row.workflowId, row.row, true, false);
    } catch {
      await this.#decideAgain(row, row.workflowId);
    }
  }

  /** Reads the status of the connector Bird already has for the number, and decides from it. */
  async #checkBird(
    row: InventoryPageRow,
    connector: Extract<RowDecision, { action: 'check-bird' }>['connector'],
    mayStart: boolean,
  ): Promise<boolean> {
    const { connectorId } = connector;
    try {
      const status = await this.bird.getChannelReadiness.executeWithOptions(
        { summary: `status of existing connector ${connectorId} for row ${row.line}` },
        [{ workspaceId: this.input.workspaceId, connectorId }],
      );
      this.#record(
        row,
        decideKnownConnector(connector, {
          status: status.status,
          stage: status.stage,
          channelId: status.channelId,
        }) as Decided,
      );
    } catch (err) {
      // Gone since it was indexed (404), or unreadable: the provisioning itself will find out (409 or not).
      log.info('existing connector could not be read; starting the provisioning', {
        connectorId,
        error: messageOf(err),
      });
      return mayStart ? this.#start(row) : false;
    }
    return false;
  }

  /** Looks the row's provisioning up again and decides from what is found; it is never started a second time. */
  async #decideAgain(row: InventoryPageRow, workflowId: string): Promise<void> {
    const snapshot = (await this.#lookUp([workflowId]))[workflowId];
    await this.carryOut(
      row,
      decideRow(
        { provisioning: snapshot, existing: row.existing },
        this.window.state.indexedAt,
        this.input.createAgain,
      ),
      false,
    );
  }

  #record(row: InventoryPageRow, decision: Decided): void {
    this.window.record({
      row: row.row,
      workflowId: row.workflowId,
      outcome: decision.outcome,
      connectorId: decision.connectorId,
      channelId: decision.channelId,
      reason: decision.reason,
    });
  }

  /** Looks up provisionings by id (those that have not reported, or that a start found already there). */
  async #lookUp(workflowIds: string[]): Promise<Record<string, ProvisioningSnapshot>> {
    const found: Record<string, ProvisioningSnapshot> = {};
    for (let i = 0; i < workflowIds.length; i += LOOKUP_BATCH) {
      const chunk = workflowIds.slice(i, i + LOOKUP_BATCH);
      Object.assign(
        found,
        await describeProvisionings.executeWithOptions({ summary: `look up ${chunk.length} provisioning run(s)` }, [
          { workflowIds: chunk },
        ]),
      );
    }
    return found;
  }
}
