/**
 * Finds the provisioning a channel event belongs to and signals it. The mapping is Temporal's own visibility
 * store: the workflow upserts BirdConnectorId/BirdChannelId as soon as it knows them. Visibility is eventually
 * consistent, so a miss is retried briefly before the event is acknowledged as belonging to no run.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelEvent } from '../bird/events';
import { BirdChannelId, BirdConnectorId } from '../domain/search-attributes';
import { channelStatusChangedSignal } from '../workflows/definitions';

export type RouteOutcome = { outcome: 'signalled'; workflowId: string } | { outcome: 'no-run' };
export type SignalRouter = (event: ChannelEvent, requestId: string) => Promise<RouteOutcome>;

export function temporalSignalRouter(client: Client, opts: { lookupRetryDelaysMs?: number[] } = {}): SignalRouter {
  const delays = opts.lookupRetryDelaysMs ?? [200, 400, 800];

  async function findRunningProvisioning(event: ChannelEvent): Promise<string | undefined> {
    // Both ids were validated as UUIDs by the event schema, so they are safe inside the query string.
    const clauses = [`${BirdChannelId.name} = '${event.payload.channelId}'`];
    if (event.payload.connectorId) clauses.push(`${BirdConnectorId.name} = '${event.payload.connectorId}'`);
    const query = `WorkflowType = 'provisionChannel' AND ExecutionStatus = 'Running' AND (${clauses.join(' OR ')})`;
    for await (const execution of client.workflow.list({ query, pageSize: 2 })) return execution.workflowId;
    return undefined;
  }

  return async (event, requestId) => {
    for (let attempt = 0; ; attempt++) {
      const workflowId = await findRunningProvisioning(event);
      if (workflowId) {
        try {
          await client.workflow.getHandle(workflowId).signal(channelStatusChangedSignal, {
            event: event.event,
            channelId: event.payload.channelId,
            connectorId: event.payload.connectorId,
            status: event.payload.status,
            stage: event.payload.stage,
            errorMessage: event.payload.errorMessage,
            requestId,
          });
          return { outcome: 'signalled', workflowId };
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return { outcome: 'no-run' }; // finished meanwhile
          throw err;
        }
      }
      const delay = delays[attempt];
      if (delay === undefined) return { outcome: 'no-run' };
      await sleep(delay);
    }
  };
}
