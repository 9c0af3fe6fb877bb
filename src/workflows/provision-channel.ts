/**
 * provisionChannel: create a Bird connector, wait until its channel is ready (status polls with backoff and/or
 * webhook reports, whichever sees it first), register the requested subscriptions, and undo everything on an
 * expected failure or a cancellation.
 *
 * Only the failures the design expects compensate (Bird refusals, readiness failures, timeouts, cancellation).
 * Anything else is a bug: it fails the workflow task, the run waits, and deploying a fix lets it resume, with its
 * connector still there to finish or undo.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  log,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, ConnectorRef } from '../activities';
import type { ComponentStage, ComponentStatus } from '../bird/schemas';
import { formatDuration } from '../domain/duration';
import { FailureType, REQUEST_NOT_ACTED_ON, withoutStack } from '../domain/failure-types';
import { idempotencyTag, type Ownership } from '../domain/idempotency';
import { blankTextAcceptedBefore, parseProvisioningInputAcceptingBlankText } from '../domain/blank-text';
import {
  isResolvedInput,
  parseProvisioningInput,
  phoneNumberIdOf,
  type ProvisionChannelInput,
  type ProvisionChannelInputRaw,
} from '../domain/provisioning-input';
import * as sa from '../domain/search-attributes';
import { readinessPollOptions, secretCheckOptions } from './activity-options';
import { birdActivities } from './bird-activities';
import { Compensations, messageOf } from './compensation';
import {
  progressQuery,
  PROVISIONING_FAILED,
  reportChannelStatusUpdate,
  type ChannelStatusReport,
  type CreateOutcome,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
  type ProvisioningProgress,
  type ProvisioningStage,
} from './definitions';
import { describeProgress, failureMessage, outcomeOf } from './describe';
import { OutcomeWatchers } from './outcome-watchers';
import { parseOrFailRun } from './invalid-input';
import { awaitChannelReadiness, ReadinessFailed } from './readiness';
import { SearchAttributeBatch } from './search-attribute-batch';
import { StatusReportInbox } from './status-reports';

const { checkSecretReferences } = proxyLocalActivities<Activities>(secretCheckOptions);

const DELETE_CONNECTOR = 'delete connector';
/** Runs started before the orphan audit existed replay without recording their tag. */
export const RECORD_TAG_PATCH = 'provisioning-tag-search-attribute';
/** Runs started by hand with blank free text (a name of spaces) before it was refused replay accepting it. */
export const REFUSE_BLANK_TEXT_PATCH = 'refuse-blank-text';
/**
 * Fewer billable actions (docs/budgets.md): search-attribute writes merged per workflow task, none repeated, the
 * transient registering-subscriptions stage kept out of the search attributes (the progress query and the run's
 * details still show it), and the readiness figures told to the watchers. Runs started before replay as they were.
 */
export const FEWER_ACTIONS_PATCH = 'provisioning-fewer-actions';

/** A step failed for a reason the caller should read (not a bug); the step itself is progress.stage at the time. */
class StepFailed extends Error {}

export async function provisionChannel(arg: ProvisionChannelInput | ProvisionChannelInputRaw): Promise<ProvisionChannelResult> {
  const startedAt = Date.now();
  const progress: ProvisioningProgress = { stage: 'validating', adopted: false, statusPolls: 0, statusReports: 0, subscriptionIds: [] };
  setHandler(progressQuery, () => progress);

  // Installed before the first await so no early report is refused for want of a handler.
  const inbox = new StatusReportInbox(progress);
  setHandler(
    reportChannelStatusUpdate,
    (report) => {
      inbox.accept(report);
      return 'accepted' as const;
    },
    {
      validator: (report: ChannelStatusReport) => {
        const refusal = inbox.refusal(report);
        if (refusal) throw withoutStack(new Error(refusal));
      },
      description: "A signature-checked Bird channel event for this run's channel (from the webhook receiver).",
    },
  );

  // Installed before the input is checked: a parent waits for this run's outcome whatever it is.
  const watchers = new OutcomeWatchers();
  const input = await resolveInput(arg).catch(async (err: unknown) => {
    await watchers.notify({ workflowId: workflowInfo().workflowId, outcome: 'failed', reason: messageOf(err), compensated: true });
    throw err;
  });
  const { workspaceId, organizationId } = input;
  // Asked in the first workflow task, whose local-activity marker its marker joins (one action for both).
  const fewerActions = patched(FEWER_ACTIONS_PATCH);
  const attrs = new SearchAttributeBatch(fewerActions);
  if (input.readiness.mode === 'poll') inbox.close('this run reads its channel status by polling only (readiness mode "poll")');
  const { createConnector, createChannelSubscription, findOwnConnector, getChannelReadiness, awaitChannelActive, deleteConnector } = birdActivities(workspaceId);
  const phoneNumberId = phoneNumberIdOf(input);
  const name = input.connector.name;
  // Also set by the typed client at start; repeated here so runs started any other way are just as findable.
  attrs.set([
    { key: sa.BirdWorkspaceId, value: workspaceId },
    ...(phoneNumberId ? [{ key: sa.BirdPhoneNumberId, value: phoneNumberId }] : []),
  ]);
  // Drawn once per provisioning from the workflow's deterministic randomness: unique even for runs started in the
  // same millisecond, and the same on every replay.
  const ownership: Ownership = { tag: idempotencyTag(uuid4()), templateRef: input.connector.connectorTemplateRef, phoneNumberId };
  // Recorded before the create is sent: the orphan audit finds this run from its connector's tag alone, even if the
  // run never learns the connector's id (a lost reply, a termination mid-create).
  // (Runs with fewer actions record it with the creating-connector stage, in the same upsert, still before the create.)
  if (!fewerActions && patched(RECORD_TAG_PATCH)) attrs.set([{ key: sa.ProvisioningTag, value: ownership.tag }]);
  let createOutcome: CreateOutcome = 'not-sent';
  const compensations = new Compensations();
  const setStage = (stage: ProvisioningStage) => {
    progress.stage = stage;
    if (!(fewerActions && stage === 'registering-subscriptions')) attrs.set([{ key: sa.ProvisioningStage, value: stage }]);
    setCurrentDetails(describeProgress(progress, input));
  };

  try {
    const signingKeyRefs = input.subscriptions.flatMap((s) => (s.signingKeyRef ? [s.signingKeyRef] : []));
    const refs = [input.connector.securityArgumentsRef, ...signingKeyRefs].filter(Boolean);
    await checkSecretReferences
      .executeWithOptions({ ...secretCheckOptions, summary: refs.length ? `check secret references ${refs.join(', ')} before creating anything` : 'no secret references to check' }, [
        { securityArgumentsRef: input.connector.securityArgumentsRef, signingKeyRefs },
      ])
      .catch(stepFailure('secret references'));

    if (fewerActions) attrs.set([{ key: sa.ProvisioningTag, value: ownership.tag }]);
    setStage('creating-connector');
    attrs.flush(); // before the create is scheduled, in the same workflow task
    // Registered before the call: a create that times out or loses its reply may still have made the connector.
    compensations.add(DELETE_CONNECTOR, async () => {
      // Bird refused the create, or it was never sent: nothing exists, and nothing must be looked for.
      if (createOutcome === 'not-sent' || createOutcome === 'refused') return undefined;
      const target = progress.connectorId ? `connector ${progress.connectorId}` : `the connector tagged ${ownership.tag}, if it exists`;
      const deleted = await deleteConnector.executeWithOptions({ summary: `delete ${target} (compensation)` }, [
        { workspaceId, connectorId: progress.connectorId, ownership },
      ]);
      if (deleted.outcome === 'never-created') return 'no connector had been created (none of ours was found)';
      return deleted.outcome === 'deleted' ? `deleted connector ${deleted.connectorId}` : `connector ${deleted.connectorId} was already gone`;
    });

    createOutcome = 'unknown';
    // Not cancellable: a cancel during the create must still learn the connector id, or compensation could race it.
    const created = await CancellationScope.nonCancellable(() =>
      createConnector.executeWithOptions({ summary: `create connector '${name}'` }, [{ workspaceId, connector: input.connector, ownership }]),
    ).catch((err: unknown) => {
      if (err instanceof ActivityFailure && refusedOnFirstAttempt(err)) createOutcome = 'refused';
      return stepFailure('create')(err);
    });

    let connector: ConnectorRef;
    if (created.outcome === 'conflict') {
      if (created.firstAttempt) {
        // Our name carries a tag no one else has, so a 409 on the first attempt is someone else's connector.
        createOutcome = 'refused';
        throw new StepFailed(alreadyExists(workspaceId, created.birdMessage));
      }
      // A retried create met 409: the connector may be the one our earlier attempt made. Look, on its own retries.
      const own = await CancellationScope.nonCancellable(() =>
        findOwnConnector.executeWithOptions({ summary: `look for connector tagged ${ownership.tag} after 409` }, [{ workspaceId, ownership }]),
      ).catch(stepFailure('ownership lookup'));
      if (!own) throw new StepFailed(alreadyExists(workspaceId, created.birdMessage));
      connector = own;
      progress.adopted = true;
    } else {
      connector = created;
      progress.adopted = created.adopted;
    }
    assertConnectorRef(connector);
    createOutcome = 'created';
    progress.connectorId = connector.connectorId;
    progress.channelId = connector.channelId;
    throwIfCancelled();
    attrs.set([
      { key: sa.BirdConnectorId, value: connector.connectorId },
      ...(connector.channelId ? [{ key: sa.BirdChannelId, value: connector.channelId }] : []),
    ]);
    const connectorCreatedAt = Date.now();

    setStage('awaiting-readiness');
    const r = input.readiness;
    const readiness = await awaitChannelReadiness({
      options: r,
      inbox,
      progress,
      pollUntilActive: (remainingMs) =>
        awaitChannelActive.executeWithOptions(
          {
            ...readinessPollOptions({ initialMs: r.initialPollInterval, coefficient: r.backoffCoefficient, maxMs: r.maxPollInterval, remainingMs }),
            summary: `poll status of connector ${connector.connectorId} (${r.firstPollAfter ? `first after ${formatDuration(r.firstPollAfter)}, then ` : ''}every ${formatDuration(r.initialPollInterval)}, ×${r.backoffCoefficient}, up to ${formatDuration(r.maxPollInterval)}; deadline ${formatDuration(remainingMs)})`,
          },
          // Only inputs that ask for a minimum activation time carry it: the others schedule what they always did.
          [{ workspaceId, connectorId: connector.connectorId, ...(r.firstPollAfter ? { notBefore: connectorCreatedAt + r.firstPollAfter } : {}) }],
        ),
      readOnce: () =>
        getChannelReadiness.executeWithOptions({ summary: `final status check of connector ${connector.connectorId} at the deadline` }, [
          { workspaceId, connectorId: connector.connectorId },
        ]),
      onChannelId: (channelId) => attrs.set([{ key: sa.BirdChannelId, value: channelId }]),
      onObserved: () => setCurrentDetails(describeProgress(progress, input)),
    }).catch((err: unknown) => {
      if (err instanceof ReadinessFailed) throw new StepFailed(err.message);
      throw err;
    });
    const readyAt = Date.now();
    const channelId = progress.channelId;
    if (!channelId) throw new StepFailed('channel is ready but Bird reported no channel id');

    setStage('registering-subscriptions');
    for (const subscription of input.subscriptions) {
      const what = `${subscription.service}/${subscription.event} → ${subscription.url}`;
      const registered = await CancellationScope.nonCancellable(() =>
        createChannelSubscription.executeWithOptions({ summary: `register subscription ${what}` }, [
          { organizationId, workspaceId, channelId, subscription },
        ]),
      ).catch(stepFailure(`subscription ${what}`));
      progress.subscriptionIds.push(registered.subscriptionId);
      throwIfCancelled();
    }

    const completedAt = Date.now();
    attrs.set([{ key: sa.ProvisioningOutcome, value: 'active' }]);
    setStage('completed');
    attrs.flush();
    await watchers.notify({
      workflowId: workflowInfo().workflowId,
      outcome: 'active',
      connectorId: connector.connectorId,
      channelId,
      // What a bulk run learns its later rows' poll schedule from (docs/polling.md).
      ...(fewerActions ? { readinessWaitMs: readyAt - connectorCreatedAt, readinessSource: readiness.source } : {}),
    });
    return {
      workflowId: workflowInfo().workflowId,
      connectorId: connector.connectorId,
      channelId,
      adopted: progress.adopted,
      finalStatus: { status: readiness.status as ComponentStatus, stage: readiness.stage as ComponentStage },
      subscriptionIds: progress.subscriptionIds,
      statusPolls: progress.statusPolls,
      readinessSource: readiness.source,
      timings: {
        startedAt: new Date(startedAt).toISOString(),
        connectorCreatedAt: new Date(connectorCreatedAt).toISOString(),
        readyAt: new Date(readyAt).toISOString(),
        completedAt: new Date(completedAt).toISOString(),
        readinessWaitMs: readyAt - connectorCreatedAt,
        totalMs: completedAt - startedAt,
      },
    };
  } catch (err) {
    const cancelled = isCancellation(err);
    // Anything the design does not expect is a bug: fail the workflow task (Temporal retries it), compensate nothing.
    if (!(err instanceof StepFailed) && !cancelled) throw err;
    const failedStep = progress.stage;
    progress.lastError = cancelled ? 'cancelled' : messageOf(err);
    setStage('compensating');
    const report = await CancellationScope.nonCancellable(() => compensations.runAll());
    const details: ProvisioningFailureDetails = {
      failedStep,
      reason: progress.lastError,
      createOutcome,
      connectorId: progress.connectorId,
      undone: report.undone,
      compensationFailures: report.failures,
      leftBehind: [
        ...(report.failedSteps.includes(DELETE_CONNECTOR)
          ? [`connector ${progress.connectorId ?? `tagged ${ownership.tag}`} (its deletion failed; delete it by hand)`]
          : []),
        // The contract offers no way to delete a webhook subscription; its channelId filter now names a deleted channel.
        ...progress.subscriptionIds.map((id) => `webhook subscription ${id} (Bird's API has no delete; it filters on the deleted channel)`),
      ],
    };
    progress.compensation = details;
    log.warn('provisioning undone', { ...details });
    attrs.set([{ key: sa.ProvisioningOutcome, value: outcomeOf(details, cancelled) }]);
    const finalStage = cancelled ? 'cancelled' : 'failed';
    // The final stage goes with the outcome in one upsert; runs started before wrote it after telling the watchers.
    if (fewerActions) setStage(finalStage);
    await watchers.notify({
      workflowId: workflowInfo().workflowId,
      outcome: cancelled ? 'cancelled' : 'failed',
      connectorId: progress.connectorId,
      channelId: progress.channelId,
      reason: cancelled ? `cancelled; undone: ${details.undone.join('; ') || 'nothing to undo'}` : failureMessage(details),
      compensated: details.leftBehind.length === 0 && details.compensationFailures.length === 0,
    });
    if (!fewerActions) setStage(finalStage);
    attrs.flush();
    if (cancelled) throw err;
    throw withoutStack(ApplicationFailure.create({ type: PROVISIONING_FAILED, message: failureMessage(details), nonRetryable: true, details: [details] }));
  }
}

/**
 * The input as recorded at start: already parsed, defaults applied (the typed client and the CLI pass it so), and
 * not parsed again, so a later change of a rule or default cannot change or break a run in flight. An input in the
 * short notation (started by hand from the Temporal CLI or UI) is parsed here and fails the run cleanly if invalid.
 */
async function resolveInput(arg: ProvisionChannelInput | ProvisionChannelInputRaw): Promise<ProvisionChannelInput> {
  if (isResolvedInput(arg)) return arg;
  // Blank free text was accepted before it was refused: a run started with it then replays as it ran. Asked only
  // for such inputs, so every other history stays as it was.
  if (blankTextAcceptedBefore(arg).length && !patched(REFUSE_BLANK_TEXT_PATCH)) return parseOrFailRun(() => parseProvisioningInputAcceptingBlankText(arg));
  return parseOrFailRun(() => parseProvisioningInput(arg));
}

/**
 * Turns an activity's failure into a StepFailed; anything else (a bug) goes on as it is. A local activity's
 * failure reaches the workflow as the activity's own ApplicationFailure, not wrapped in an ActivityFailure.
 */
function stepFailure(step: string) {
  return (err: unknown): never => {
    if (err instanceof ActivityFailure || err instanceof ApplicationFailure) throw new StepFailed(`${step}: ${messageOf(err)}`);
    throw err;
  };
}

/**
 * A definitive refusal (a 4xx other than 429, or a request never sent) on the create's first attempt proves no
 * connector was made. On a later attempt the earlier ones' outcomes are unknown, so it proves nothing.
 */
function refusedOnFirstAttempt(err: ActivityFailure): boolean {
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || !cause.type || !REQUEST_NOT_ACTED_ON.includes(cause.type)) return false;
  const attempt = (cause.details?.[0] as { attempt?: number } | undefined)?.attempt;
  return attempt === 1;
}

function alreadyExists(workspaceId: string, birdMessage: string | undefined): string {
  return `${FailureType.connectorAlreadyExists}: a connector for this number or name already exists in workspace ${workspaceId} and was not created by this provisioning; it was left untouched (Bird: ${birdMessage ?? 'HTTP 409'})`;
}

/** An activity that breaks its contract is a bug, not a Bird failure: fail the workflow task, do not compensate. */
function assertConnectorRef(ref: ConnectorRef): void {
  if (!ref || typeof ref.connectorId !== 'string' || ref.connectorId.length === 0) {
    throw new TypeError(`createConnector returned no connector id (got ${JSON.stringify(ref)})`);
  }
}

/**
 * Non-cancellable steps do not observe a cancellation requested while they run; look for one as soon as they
 * return, so a cancel during the create or the subscriptions still undoes the run instead of completing it.
 */
function throwIfCancelled(): void {
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('provisioning cancelled');
}
