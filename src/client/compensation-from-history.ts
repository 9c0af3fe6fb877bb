/**
 * What a finished provisioning's compensation did, read from its event history: the answer when no worker is there
 * to answer the `progress` query (a query on a closed run is replayed by a worker). The history holds every
 * compensation activity and its result, so this needs nothing but the server.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { DeletedConnector, RegisteredSubscription } from '../activities';
import type { CreateOutcome, ProvisioningFailureDetails, ProvisioningStage } from '../domain/provisioning';
import { ProvisioningStage as StageAttribute } from '../domain/search-attributes';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export async function compensationFromHistory(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<ProvisioningFailureDetails> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const activityOf = new Map<string, string>();
  const stages: ProvisioningStage[] = [];
  let createOutcome: CreateOutcome = 'not-sent';
  let connectorId: string | undefined;
  const undone: string[] = [];
  const failures: string[] = [];
  const subscriptionIds: string[] = [];

  for (const event of events) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const name = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '';
        activityOf.set(String(event.eventId), name);
        if (name === 'createConnector' && createOutcome === 'not-sent') createOutcome = 'unknown';
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const attrs = event.activityTaskCompletedEventAttributes;
        const name = activityOf.get(String(attrs?.scheduledEventId));
        const result = await decodeFirst(client, attrs?.result?.payloads);
        if (name === 'createConnector' || name === 'findOwnConnector') {
          const ref = result as { connectorId?: string; outcome?: string } | undefined;
          if (ref?.connectorId) {
            createOutcome = 'created';
            connectorId = ref.connectorId;
          }
        } else if (name === 'deleteConnector') {
          undone.push(describeDelete(result as DeletedConnector));
        } else if (name === 'createChannelSubscription') {
          const sub = result as RegisteredSubscription | undefined;
          if (sub?.subscriptionId) subscriptionIds.push(sub.subscriptionId);
        }
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: {
        const attrs = event.activityTaskFailedEventAttributes;
        const name = activityOf.get(String(attrs?.scheduledEventId));
        const message = attrs?.failure?.cause?.message || attrs?.failure?.message || 'failed';
        if (name === 'deleteConnector') failures.push(`delete connector: ${message}`);
        break;
      }
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const stage = keyword(event, StageAttribute.name);
        if (stage) stages.push(stage as ProvisioningStage);
        break;
      }
    }
  }
  const compensatingAt = stages.lastIndexOf('compensating');
  const failedStep = (compensatingAt > 0 ? stages[compensatingAt - 1] : stages[stages.length - 1]) ?? 'validating';
  return {
    failedStep,
    reason: 'cancelled',
    createOutcome,
    connectorId,
    undone,
    compensationFailures: failures,
    leftBehind: [
      ...(failures.length
        ? [`connector ${connectorId ?? '(id unknown)'} (its deletion failed; delete it by hand)`]
        : []),
      ...subscriptionIds.map(
        (id) => `webhook subscription ${id} (Bird's API has no delete; it filters on the deleted channel)`,
      ),
    ],
  };
}

/** The same words the workflow uses for each outcome of its delete. */
function describeDelete(deleted: DeletedConnector | undefined): string {
  if (!deleted || deleted.outcome === 'never-created') return 'no connector had been created (none of ours was found)';
  return deleted.outcome === 'deleted'
    ? `deleted connector ${deleted.connectorId}`
    : `connector ${deleted.connectorId} was already gone`;
}

async function decodeFirst(client: Client, payloads: Payload[] | null | undefined): Promise<unknown> {
  const { payloadConverter, payloadCodecs } = client.options.loadedDataConverter;
  let decoded = payloads ?? [];
  // Codecs encode in order and decode in reverse (the payload codec of PAYLOAD_ENCRYPTION_KEY_ID, if any).
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return decoded[0] ? payloadConverter.fromPayload(decoded[0]) : undefined;
}

/** A Keyword search attribute set by this upsert (search attributes are never codec-encoded). */
function keyword(event: HistoryEvent, name: string): string | undefined {
  const payload = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[name];
  if (!payload) return undefined;
  const value = defaultPayloadConverter.fromPayload<unknown>(payload as Payload);
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' ? first : undefined;
}
