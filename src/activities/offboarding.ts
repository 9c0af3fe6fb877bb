/**
 * Offboarding's activities: stop the channel's provisioning if it is running (a Temporal call, on the workflow
 * queue), read its record, find the channel's connectors (one Bird GET each, on the reads queue), and confirm a
 * deleted connector gone (one status GET per attempt; "not gone yet" is the retryable failure, so the retry policy
 * is the backoff, as readiness polling does). The delete itself is compensation's deleteConnector.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BirdClient } from '../bird/client';
import { BirdApiError } from '../bird/errors';
import { channelConnectors, type ChannelConnector, type ChannelKey } from '../domain/offboarding';
import type { ProvisionChannelResult } from '../domain/provisioning';
import * as sa from '../domain/search-attributes';

export const CONNECTOR_NOT_GONE = 'ConnectorNotGoneYet';

/** What Temporal records of the channel's provisioning (ours: its connector, its tag, its subscriptions). */
export interface ProvisioningRecord {
  workflowId: string;
  runId?: string;
  status?: string;
  connectorId?: string;
  tag?: string;
  subscriptionIds: string[];
  /** This activity cancelled the run and waited for its compensation. */
  cancelled: boolean;
}

export interface ChannelConnectorsPage {
  own: ChannelConnector[];
  foreign: ChannelConnector[];
  nextPageToken?: string;
}

const POLL_MS = 500;

export function offboardingActivities({ bird, temporal }: { bird: BirdClient; temporal?: () => Client }) {
  const client = (): Client => temporal?.() ?? Context.current().client;

  return {
    /**
     * The provisioning's record. A run still going is cancelled first and awaited: its compensation deletes what it
     * made, so the two never act on the number at once. Waiting is the activity's (heartbeats), not the workflow's.
     */
    async stopProvisioning({ workflowId }: { workflowId: string }): Promise<ProvisioningRecord> {
      const handle = client().workflow.getHandle(workflowId);
      let cancelled = false;
      for (;;) {
        let d;
        try {
          d = await handle.describe();
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return { workflowId, subscriptionIds: [], cancelled };
          throw err;
        }
        if (d.status.name === 'RUNNING') {
          if (!cancelled) await handle.cancel();
          cancelled = true;
          await new Promise((r) => setTimeout(r, POLL_MS));
          continue;
        }
        const result =
          d.status.name === 'COMPLETED'
            ? ((await handle.result().catch((err: unknown) => {
                if (err instanceof WorkflowFailedError) return undefined;
                throw err;
              })) as ProvisionChannelResult | undefined)
            : undefined;
        const connectorId = d.typedSearchAttributes.get(sa.BirdConnectorId);
        const tag = d.typedSearchAttributes.get(sa.ProvisioningTag);
        return {
          workflowId,
          runId: d.runId,
          status: d.status.name,
          ...(connectorId ? { connectorId } : {}),
          ...(tag ? { tag } : {}),
          subscriptionIds: result?.subscriptionIds ?? [],
          cancelled,
        };
      }
    },

    /** The recorded connector, if Bird still has it and it is the channel's (one GET). */
    async recordedChannelConnector(input: {
      key: ChannelKey;
      connectorId: string;
    }): Promise<{ own: ChannelConnector[]; foreign: ChannelConnector[] }> {
      try {
        const c = await bird.getConnector(input.key.workspaceId, input.connectorId);
        return channelConnectors([c], input.key);
      } catch (err) {
        if (err instanceof BirdApiError && err.kind === 'http' && err.status === 404) return { own: [], foreign: [] };
        throw err;
      }
    },

    /** One page of the workspace's connectors, keeping the channel's (one GET). */
    async channelConnectorsPage(input: {
      key: ChannelKey;
      templateRef?: string;
      pageToken?: string;
      pageSize: number;
    }): Promise<ChannelConnectorsPage> {
      const page = await bird.listConnectorsPage(input.key.workspaceId, {
        limit: input.pageSize,
        pageToken: input.pageToken,
        templateRef: input.templateRef,
      });
      return { ...channelConnectors(page.results, input.key), nextPageToken: page.nextPageToken || undefined };
    },

    /** One status read: gone (deprovisioned, or 404), or a retryable "not gone yet". */
    async confirmConnectorGone({
      workspaceId,
      connectorId,
    }: {
      workspaceId: string;
      connectorId: string;
    }): Promise<{ confirmedBy: 'deprovisioned' | 'not-found'; statusReads: number }> {
      const statusReads = Context.current().info.attempt;
      let stage: string | null | undefined;
      try {
        stage = (await bird.getConnectorStatus(workspaceId, connectorId)).channel?.stage;
      } catch (err) {
        if (err instanceof BirdApiError && err.kind === 'http' && err.status === 404)
          return { confirmedBy: 'not-found', statusReads };
        throw err;
      }
      if (stage === 'deprovisioned') return { confirmedBy: 'deprovisioned', statusReads };
      throw ApplicationFailure.create({
        type: CONNECTOR_NOT_GONE,
        message: `connector ${connectorId} not gone yet (${stage ?? '?'})`,
      });
    },
  };
}
