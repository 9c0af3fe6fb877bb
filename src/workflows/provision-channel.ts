/**
 * provisionChannel: create a Bird connector, wait until its channel is ready (polls with backoff and/or webhook
 * signals, whichever sees it first), register the requested subscriptions, and undo everything on failure or
 * cancellation.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ComponentStage, ComponentStatus } from '../bird/schemas';
import { idempotencyTag } from '../domain/idempotency';
import {
  InvalidProvisioningInput,
  parseProvisioningInput,
  phoneNumberIdOf,
  type ProvisionChannelInput,
  type ProvisionChannelInputRaw,
} from '../domain/provisioning-input';
import * as sa from '../domain/search-attributes';
import { compensationOptions, createOptions, pollOptions } from './activity-options';
import { Compensations, messageOf } from './compensation';
import {
  channelStatusChangedSignal,
  INVALID_INPUT,
  progressQuery,
  PROVISIONING_FAILED,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
  type ProvisioningProgress,
  type ProvisioningStage,
} from './definitions';
import { awaitChannelReadiness, ReadinessFailed, ReadinessInbox } from './readiness';

const { createConnector, createChannelSubscription } = proxyActivities<Activities>(createOptions);
const { getChannelReadiness } = proxyActivities<Activities>(pollOptions);
const { deleteConnector } = proxyActivities<Activities>(compensationOptions);

const DELETE_CONNECTOR = 'delete connector';

/**
 * A step failed for a reason the caller should read (not a bug): its message goes into the ProvisioningFailed
 * failure; the step itself is progress.stage at the time.
 */
class StepFailed extends Error {}

export async function provisionChannel(rawInput: ProvisionChannelInputRaw): Promise<ProvisionChannelResult> {
  const startedAt = Date.now();
  const progress: ProvisioningProgress = { stage: 'validating', adopted: false, statusPolls: 0, signalsReceived: 0, subscriptionIds: [] };
  setHandler(progressQuery, () => progress);

  // The signal handler is installed before the first await so no early webhook is dropped; readiness reads the inbox.
  const readinessInbox = new ReadinessInbox(progress);
  setHandler(channelStatusChangedSignal, (event) => readinessInbox.receive(event));

  let input: ProvisionChannelInput;
  try {
    input = parseProvisioningInput(rawInput);
  } catch (err) {
    if (err instanceof InvalidProvisioningInput) {
      throw ApplicationFailure.create({ type: INVALID_INPUT, message: err.message, nonRetryable: true, details: [err.problems] });
    }
    throw err;
  }

  const { workspaceId, organizationId } = input;
  // Also set by the typed client at start; repeated here so runs started any other way (CLI, UI, a parent
  // workflow) are just as findable.
  const phoneNumberId = phoneNumberIdOf(input);
  upsertSearchAttributes([
    { key: sa.BirdWorkspaceId, value: workspaceId },
    ...(phoneNumberId ? [{ key: sa.BirdPhoneNumberId, value: phoneNumberId }] : []),
  ]);
  const tag = idempotencyTag(workflowInfo().firstExecutionRunId);
  const compensations = new Compensations();
  const setStage = (stage: ProvisioningStage) => {
    progress.stage = stage;
    upsertSearchAttributes([{ key: sa.ProvisioningStage, value: stage }]);
    setCurrentDetails(describeProgress(progress));
  };

  try {
    setStage('creating-connector');
    // Registered before the call: a create that times out or loses its reply may still have made the connector.
    compensations.add(DELETE_CONNECTOR, async () => {
      const deleted = await deleteConnector({ workspaceId, connectorId: progress.connectorId, idempotencyTag: tag, templateRef: input.connector.connectorTemplateRef });
      if (deleted.outcome === 'never-created') return undefined;
      return deleted.outcome === 'deleted' ? `deleted connector ${deleted.connectorId}` : `connector ${deleted.connectorId} was already gone`;
    });
    // Not cancellable: a cancel during the create must still learn the connector id, or compensation could race it.
    const created = await CancellationScope.nonCancellable(() =>
      createConnector({ workspaceId, connector: input.connector, idempotencyTag: tag }),
    ).catch((err: unknown) => {
      throw new StepFailed(messageOf(err));
    });
    progress.connectorId = created.connectorId;
    progress.channelId = created.channelId;
    progress.adopted = created.adopted;
    throwIfCancelled();
    upsertSearchAttributes([
      { key: sa.BirdConnectorId, value: created.connectorId },
      ...(created.channelId ? [{ key: sa.BirdChannelId, value: created.channelId }] : []),
    ]);
    const connectorCreatedAt = Date.now();

    setStage('awaiting-readiness');
    const readiness = await awaitChannelReadiness({
      options: input.readiness,
      inbox: readinessInbox,
      progress,
      poll: () => getChannelReadiness({ workspaceId, connectorId: created.connectorId }),
      onChannelId: (channelId) => upsertSearchAttributes([{ key: sa.BirdChannelId, value: channelId }]),
      onObserved: () => setCurrentDetails(describeProgress(progress)),
    }).catch((err: unknown) => {
      if (err instanceof ReadinessFailed) throw new StepFailed(err.message);
      throw err;
    });
    const readyAt = Date.now();
    const channelId = progress.channelId;
    if (!channelId) throw new StepFailed('channel is ready but Bird reported no channel id');

    setStage('registering-subscriptions');
    for (const subscription of input.subscriptions) {
      const registered = await CancellationScope.nonCancellable(() =>
        createChannelSubscription({ organizationId, workspaceId, channelId, subscription }),
      ).catch((err: unknown) => {
        throw new StepFailed(`subscription ${subscription.service}/${subscription.event} → ${subscription.url}: ${messageOf(err)}`);
      });
      progress.subscriptionIds.push(registered.subscriptionId);
      throwIfCancelled();
    }

    setStage('completed');
    const completedAt = Date.now();
    return {
      workflowId: workflowInfo().workflowId,
      connectorId: created.connectorId,
      channelId,
      adopted: created.adopted,
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
    const failedStep = progress.stage;
    const cancelled = isCancellation(err);
    progress.lastError = cancelled ? 'cancelled' : messageOf(err);
    setStage('compensating');
    const report = await CancellationScope.nonCancellable(() => compensations.runAll());
    const details: ProvisioningFailureDetails = {
      failedStep,
      reason: progress.lastError,
      connectorId: progress.connectorId,
      undone: report.undone,
      compensationFailures: report.failures,
      leftBehind: [
        ...(report.failedSteps.includes(DELETE_CONNECTOR)
          ? [`connector ${progress.connectorId ?? `with tag ${tag}`} (its deletion failed; delete it by hand)`]
          : []),
        // The contract offers no way to delete a webhook subscription; its channelId filter now names a deleted channel.
        ...progress.subscriptionIds.map((id) => `webhook subscription ${id} (Bird's API has no delete; it filters on the deleted channel)`),
      ],
    };
    log.warn('provisioning undone', { ...details });
    if (cancelled) {
      setStage('cancelled');
      throw err;
    }
    setStage('failed');
    throw ApplicationFailure.create({
      type: PROVISIONING_FAILED,
      message: failureMessage(details),
      nonRetryable: true,
      details: [details],
    });
  }
}

/**
 * Non-cancellable steps do not observe a cancellation requested while they run; look for one as soon as they
 * return, so a cancel during the create or the subscriptions still undoes the run instead of completing it.
 */
function throwIfCancelled(): void {
  if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('provisioning cancelled');
}

function describeProgress(p: ProvisioningProgress): string {
  const parts = [`stage: ${p.stage}`];
  if (p.connectorId) parts.push(`connector ${p.connectorId}`);
  if (p.channelId) parts.push(`channel ${p.channelId}`);
  if (p.lastStatus) parts.push(`last status ${p.lastStatus.status ?? '?'}/${p.lastStatus.stage ?? '?'} (${p.lastStatus.source})`);
  parts.push(`polls ${p.statusPolls}`);
  return parts.join(' · ');
}

function failureMessage(d: ProvisioningFailureDetails): string {
  const undone = d.undone.length ? d.undone.join('; ') : 'nothing to undo';
  let message = `${d.failedStep} failed: ${d.reason}. Undone: ${undone}.`;
  if (d.compensationFailures.length) message += ` COMPENSATION FAILED: ${d.compensationFailures.join('; ')}.`;
  if (d.leftBehind.length) message += ` Left: ${d.leftBehind.join('; ')}.`;
  return message;
}
