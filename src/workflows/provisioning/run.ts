/**
 * One provisioning as a saga: its state (progress, what became of the create, the undo steps, the search
 * attributes) and its steps, which provision-channel.ts calls in order.
 *
 * The recorded histories fix the order of the commands the steps emit. A search-attribute write is sent as one
 * upsert in a microtask after the code that made it (SearchAttributeBatch), so a step schedules the activity that
 * goes with a write before its first await, and never returns with a write still pending: the awaits between two
 * steps would send it before the next step's activity (test/replay.test.ts fails when one does).
 */
import {
  CancellationScope,
  log,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, ActiveChannel, ConnectorRef } from '../../activities';
import { isCompensated } from '../../domain/compensation';
import { formatDuration } from '../../domain/duration';
import { idempotencyTag, isIdempotencyTag, type Ownership } from '../../domain/idempotency';
import { signingKeyRefsOf, type ProvisionChannelInput } from '../../domain/provisioning-input';
import { phoneNumberIdOf } from '../../domain/provisioning-identity';
import * as sa from '../../domain/search-attributes';
import { readinessPollOptions, secretCheckOptions } from '../activity-options';
import { birdActivities } from '../bird-activities';
import { Compensations, messageOf } from '../compensation';
import type {
  ProvisionChannelResult,
  ProvisioningFailureDetails,
  ProvisioningProgress,
  ProvisioningStage,
} from '../../domain/provisioning';
import { describeProgress, failureMessage } from '../../domain/describe';
import { outcomeOfCompensation } from '../../domain/provisioning-outcome';
import type { OutcomeWatchers } from '../outcome-watchers';
import { awaitChannelReadiness, ReadinessFailed, type ReadyChannel } from '../readiness';
import { SearchAttributeBatch } from '../search-attribute-batch';
import type { StatusReportInbox } from '../status-reports';
import { RunConnector } from './connector';
import { activeResult, DELETE_CONNECTOR, leftBehind } from './outcome';
import { FEWER_ACTIONS_PATCH, RECORD_TAG_PATCH, TAG_SET_AT_START_PATCH } from './patches';
import { StepFailed, stepFailure, throwIfCancelled } from './step-failed';

const { checkSecretReferences } = proxyLocalActivities<Activities>(secretCheckOptions);

/** A channel seen ready, with the id Bird gave it. */
export interface ReadyConnector extends ConnectorRef {
  channelId: string;
  readiness: ReadyChannel;
}

/**
 * The run's connector tag: the one its starter set at start, or else drawn once from the workflow's deterministic
 * randomness (unique even for runs started in the same millisecond, and the same on every replay).
 */
function ownershipTag(current: boolean): string {
  const atStart = workflowInfo().typedSearchAttributes.get(sa.ProvisioningTag);
  if (isIdempotencyTag(atStart) && (current || patched(TAG_SET_AT_START_PATCH))) return atStart;
  return idempotencyTag(uuid4());
}

export class ProvisioningRun {
  /** connectorCreatedAt and readyAt are set as the run reaches them. */
  readonly #milestones = { startedAt: Date.now(), connectorCreatedAt: 0, readyAt: 0 };
  /**
   * Started by a starter that knows every patch below and asked for the secret check inside the create: such a run
   * asks no patched() (each would record a marker, a billable action of its own) and runs no local activity.
   */
  readonly #current: boolean;
  readonly #fewerActions: boolean;
  readonly #attrs: SearchAttributeBatch;
  readonly #bird: ReturnType<typeof birdActivities>;
  readonly #connector: RunConnector;
  readonly #compensations = new Compensations();

  constructor(
    private readonly input: ProvisionChannelInput,
    private readonly progress: ProvisioningProgress,
    private readonly inbox: StatusReportInbox,
    private readonly watchers: OutcomeWatchers,
  ) {
    this.#current = input.secretCheck === 'with-create';
    // Asked in the first workflow task, whose local-activity marker its marker joins (one action for both).
    this.#fewerActions = this.#current || patched(FEWER_ACTIONS_PATCH);
    this.#attrs = new SearchAttributeBatch(this.#fewerActions);
    if (input.readiness.mode === 'poll') {
      inbox.close('this run reads its channel status by polling only (readiness mode "poll")');
    }
    this.#bird = birdActivities(input.workspaceId);
    const phoneNumberId = phoneNumberIdOf(input);
    // Also set by the typed client at start; repeated here so runs started any other way are just as findable.
    this.#attrs.set([
      { key: sa.BirdWorkspaceId, value: input.workspaceId },
      ...(phoneNumberId ? [{ key: sa.BirdPhoneNumberId, value: phoneNumberId }] : []),
    ]);
    const tag = ownershipTag(this.#current);
    const ownership: Ownership = { tag, templateRef: input.connector.connectorTemplateRef, phoneNumberId };
    this.#connector = new RunConnector(this.#bird, input, ownership, progress, this.#current);
    // Recorded before the create is sent: the orphan audit finds this run from its connector's tag alone, even if the
    // run never learns the connector's id (a lost reply, a termination mid-create). Runs with fewer actions record
    // it with the creating-connector stage, in the same upsert, still before the create.
    if (!this.#fewerActions && patched(RECORD_TAG_PATCH)) this.#attrs.set([{ key: sa.ProvisioningTag, value: tag }]);
  }

  /**
   * Every secret the run will need exists, before anything is made in Bird: checked here by a local activity, or,
   * for a run started with `secretCheck: 'with-create'`, by the create activity before its POST (RunConnector).
   */
  async checkSecrets(): Promise<void> {
    if (this.#current) return;
    const { connector } = this.input;
    const signingKeyRefs = signingKeyRefsOf(this.input);
    const refs = [connector.securityArgumentsRef, ...signingKeyRefs].filter(Boolean);
    const summary = refs.length
      ? `check secret references ${refs.join(', ')} before creating anything`
      : 'no secret references to check';
    await checkSecretReferences
      .executeWithOptions({ ...secretCheckOptions, summary }, [
        { securityArgumentsRef: connector.securityArgumentsRef, signingKeyRefs },
      ])
      .catch(stepFailure('secret references'));
  }

  /** Creates the connector, or adopts the one an earlier attempt of the create made before its reply was lost. */
  async createOrAdopt(): Promise<ConnectorRef> {
    if (this.#fewerActions) this.#attrs.set([{ key: sa.ProvisioningTag, value: this.#connector.ownership.tag }]);
    this.#setStage('creating-connector');
    this.#attrs.flush(); // before the create is scheduled, in the same workflow task
    // Registered before the call: a create that times out or loses its reply may still have made the connector.
    this.#compensations.add(DELETE_CONNECTOR, () => this.#connector.delete());
    const connector = await this.#connector.create();
    throwIfCancelled();
    return connector;
  }

  /** Status polls and webhook reports, whichever first sees the channel ready (src/workflows/readiness.ts). */
  async awaitReadiness(connector: ConnectorRef): Promise<ReadyConnector> {
    // The connector's ids go in the awaiting-readiness stage's upsert, sent after the first poll is scheduled.
    this.#attrs.set([
      { key: sa.BirdConnectorId, value: connector.connectorId },
      ...(connector.channelId ? [{ key: sa.BirdChannelId, value: connector.channelId }] : []),
    ]);
    this.#milestones.connectorCreatedAt = Date.now();
    this.#setStage('awaiting-readiness');
    const { workspaceId, readiness: options } = this.input;
    const { connectorId } = connector;
    const readiness = await awaitChannelReadiness({
      options,
      inbox: this.inbox,
      progress: this.progress,
      pollUntilActive: (remainingMs) => this.#pollUntilActive(connectorId, remainingMs),
      readOnce: () =>
        this.#bird.getChannelReadiness.executeWithOptions(
          { summary: `final status check of connector ${connectorId} at the deadline` },
          [{ workspaceId, connectorId }],
        ),
      onChannelId: (channelId) => this.#attrs.set([{ key: sa.BirdChannelId, value: channelId }]),
      onObserved: () => setCurrentDetails(describeProgress(this.progress, this.input)),
    }).catch((err: unknown) => {
      if (err instanceof ReadinessFailed) throw new StepFailed(err.message);
      throw err;
    });
    this.#milestones.readyAt = Date.now();
    const channelId = this.progress.channelId;
    if (!channelId) throw new StepFailed('channel is ready but Bird reported no channel id');
    return { connectorId, channelId, readiness };
  }

  /**
   * One activity whose retries are the polls: the retry policy is the backoff, the deadline its schedule-to-close.
   * A run that asks for it waits out the minimum activation time on a timer first, so only real reads are handed out
   * by the reads queue, whose rate is Bird's GET budget.
   */
  async #pollUntilActive(connectorId: string, remainingMs: number): Promise<ActiveChannel> {
    const r = this.input.readiness;
    if (r.firstPollAfter && r.firstPollWait === 'timer') {
      const wait = this.#milestones.connectorCreatedAt + r.firstPollAfter - Date.now();
      if (wait > 0) {
        await sleep(wait, {
          summary: `wait ${formatDuration(wait)} before the first status read of connector ${connectorId} (minimum activation time)`,
        });
      }
      return this.#poll(connectorId, remainingMs - Math.max(0, wait), false);
    }
    return this.#poll(connectorId, remainingMs, true);
  }

  #poll(connectorId: string, remainingMs: number, notBeforeInActivity: boolean): Promise<ActiveChannel> {
    const r = this.input.readiness;
    const first =
      r.firstPollAfter && notBeforeInActivity ? `first after ${formatDuration(r.firstPollAfter)}, then ` : '';
    const interval = `every ${formatDuration(r.initialPollInterval)}, ×${r.backoffCoefficient}`;
    const schedule = `${first}${interval}, up to ${formatDuration(r.maxPollInterval)}`;
    const backoff = { initialMs: r.initialPollInterval, coefficient: r.backoffCoefficient, maxMs: r.maxPollInterval };
    // Only inputs that ask for a minimum activation time carry it: the others schedule what they always did.
    const notBefore =
      r.firstPollAfter && notBeforeInActivity
        ? { notBefore: this.#milestones.connectorCreatedAt + r.firstPollAfter }
        : {};
    return this.#bird.awaitChannelActive.executeWithOptions(
      {
        ...readinessPollOptions({ ...backoff, remainingMs }),
        summary: `poll status of connector ${connectorId} (${schedule}; deadline ${formatDuration(remainingMs)})`,
      },
      [{ workspaceId: this.input.workspaceId, connectorId, ...notBefore }],
    );
  }

  /** The requested webhook subscriptions, one at a time, on the ready channel. */
  async registerSubscriptions({ channelId }: ReadyConnector): Promise<void> {
    this.#setStage('registering-subscriptions');
    const { organizationId, workspaceId } = this.input;
    for (const subscription of this.input.subscriptions) {
      const what = `${subscription.service}/${subscription.event} → ${subscription.url}`;
      const registered = await CancellationScope.nonCancellable(() =>
        this.#bird.createChannelSubscription.executeWithOptions({ summary: `register subscription ${what}` }, [
          { organizationId, workspaceId, channelId, subscription },
        ]),
      ).catch(stepFailure(`subscription ${what}`));
      this.progress.subscriptionIds.push(registered.subscriptionId);
      throwIfCancelled();
    }
  }

  /** Records the active outcome, tells the watchers, and returns the run's result. */
  async complete(ready: ReadyConnector): Promise<ProvisionChannelResult> {
    const completedAt = Date.now();
    this.#attrs.set([{ key: sa.ProvisioningOutcome, value: 'active' }]);
    this.#setStage('completed');
    this.#attrs.flush();
    const readinessWaitMs = this.#milestones.readyAt - this.#milestones.connectorCreatedAt;
    const { connectorId, channelId, readiness } = ready;
    await this.watchers.notify({
      workflowId: workflowInfo().workflowId,
      outcome: 'active',
      connectorId,
      channelId,
      // What a bulk run learns its later rows' poll schedule from (docs/polling.md).
      ...(this.#fewerActions
        ? { readinessWaitMs, readinessSource: readiness.source, statusReads: this.progress.statusPolls }
        : {}),
    });
    return activeResult(workflowInfo().workflowId, this.progress, ready, { ...this.#milestones, completedAt });
  }

  /** Undoes what the run made, in reverse order, and says what was undone and what is left. */
  async compensate(err: unknown, cancelled: boolean): Promise<ProvisioningFailureDetails> {
    const failedStep = this.progress.stage;
    this.progress.lastError = cancelled ? 'cancelled' : messageOf(err);
    this.#setStage('compensating');
    const report = await CancellationScope.nonCancellable(() => this.#compensations.runAll());
    const details: ProvisioningFailureDetails = {
      failedStep,
      reason: this.progress.lastError,
      createOutcome: this.#connector.createOutcome,
      connectorId: this.progress.connectorId,
      undone: report.undone,
      compensationFailures: report.failures,
      leftBehind: leftBehind(report, this.progress, this.#connector.ownership.tag),
    };
    this.progress.compensation = details;
    log.warn('provisioning undone', { ...details });
    return details;
  }

  /** Records how the failed or cancelled run ended and tells the watchers. */
  async reportFailure(details: ProvisioningFailureDetails, cancelled: boolean): Promise<void> {
    this.#attrs.set([{ key: sa.ProvisioningOutcome, value: outcomeOfCompensation(details, cancelled) }]);
    const finalStage = cancelled ? 'cancelled' : 'failed';
    const undone = details.undone.join('; ') || 'nothing to undo';
    // The final stage goes with the outcome in one upsert; runs without the fewer-actions patch write it after
    // telling the watchers, where their histories hold it.
    if (this.#fewerActions) this.#setStage(finalStage);
    await this.watchers.notify({
      workflowId: workflowInfo().workflowId,
      outcome: finalStage,
      connectorId: this.progress.connectorId,
      channelId: this.progress.channelId,
      reason: cancelled ? `cancelled; undone: ${undone}` : failureMessage(details),
      compensated: isCompensated(details),
    });
    if (!this.#fewerActions) this.#setStage(finalStage);
    this.#attrs.flush();
  }

  #setStage(stage: ProvisioningStage): void {
    this.progress.stage = stage;
    // The transient registering-subscriptions stage stays out of the search attributes (docs/budgets.md).
    if (!(this.#fewerActions && stage === 'registering-subscriptions')) {
      this.#attrs.set([{ key: sa.ProvisioningStage, value: stage }]);
    }
    setCurrentDetails(describeProgress(this.progress, this.input));
  }
}
