/**
 * Connector activities: one Bird call each (plus the tag lookup that makes create and delete idempotent).
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { BirdClient } from '../bird/client';
import { BirdApiError } from '../bird/errors';
import { SecurityArgumentsMap, type ComponentStage, type ComponentStatus, type Connector } from '../bird/schemas';
import { hasIdempotencyTag, taggedConnectorName } from '../domain/idempotency';
import type { ConnectorSpec } from '../domain/provisioning-input';
import type { SecretStore } from '../secrets';
import { FailureType } from './failures';

export interface ConnectorActivityDeps {
  bird: BirdClient;
  secrets: SecretStore;
}

export interface CreateConnectorInput {
  workspaceId: string;
  connector: ConnectorSpec;
  idempotencyTag: string;
}

export interface CreatedConnector {
  connectorId: string;
  channelId?: string;
  /** True when this call found the connector an earlier attempt created (its reply was lost). */
  adopted: boolean;
  createdAt: string;
}

export interface DeleteConnectorInput {
  workspaceId: string;
  /** Unknown when the create's outcome is unknown; the connector is then looked up by its tag. */
  connectorId?: string;
  idempotencyTag: string;
  templateRef?: string;
}

export interface DeletedConnector {
  outcome: 'deleted' | 'already-gone' | 'never-created';
  connectorId?: string;
}

export interface ChannelReadinessSnapshot {
  channelId?: string;
  status?: ComponentStatus | null;
  stage?: ComponentStage | null;
  errorMessage?: string | null;
}

export function connectorActivities({ bird, secrets }: ConnectorActivityDeps) {
  async function findTaggedConnector(workspaceId: string, tag: string, templateRef?: string): Promise<Connector | undefined> {
    for await (const connector of bird.listConnectors(workspaceId, { templateRef, limit: 100 })) {
      if (hasIdempotencyTag(connector.name, tag)) return connector;
    }
    return undefined;
  }

  function summary(connector: Connector, adopted: boolean): CreatedConnector {
    return { connectorId: connector.id, channelId: connector.channel?.channelId, adopted, createdAt: connector.createdAt };
  }

  function resolveSecurityArguments(ref: string | undefined) {
    if (!ref) return undefined;
    const raw = secrets.resolve(ref).reveal();
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const parsed = SecurityArgumentsMap.safeParse(json);
    if (!parsed.success) {
      throw ApplicationFailure.create({
        type: FailureType.invalidSecret,
        message: `secret "${ref}" must hold a JSON object of security arguments ({"scheme": {"key": "value"}})`,
        nonRetryable: true,
      });
    }
    return parsed.data;
  }

  return {
    /**
     * Creates the connector, named with the run's idempotency tag. A retry first looks for the tag (an earlier
     * attempt may have succeeded without us hearing), and a 409 is adopted only when the tag proves it ours.
     */
    async createConnector({ workspaceId, connector, idempotencyTag }: CreateConnectorInput): Promise<CreatedConnector> {
      const templateRef = connector.connectorTemplateRef;
      if (Context.current().info.attempt > 1) {
        const earlier = await findTaggedConnector(workspaceId, idempotencyTag, templateRef);
        if (earlier) {
          log.info('adopting connector created by an earlier attempt', { connectorId: earlier.id });
          return summary(earlier, true);
        }
      }
      const { securityArgumentsRef, ...request } = connector;
      try {
        const created = await bird.createConnector(workspaceId, {
          ...request,
          name: taggedConnectorName(connector.name, idempotencyTag),
          securityArguments: resolveSecurityArguments(securityArgumentsRef),
        });
        return summary(created, false);
      } catch (err) {
        if (!(err instanceof BirdApiError && err.status === 409)) throw err;
        const ours = await findTaggedConnector(workspaceId, idempotencyTag, templateRef);
        if (ours) {
          log.info('409 on create: the connector is ours (tag matches), adopting it', { connectorId: ours.id });
          return summary(ours, true);
        }
        throw ApplicationFailure.create({
          type: FailureType.connectorAlreadyExists,
          message: `a connector for this number or name already exists in workspace ${workspaceId} and was not created by this provisioning; it was left untouched (Bird: ${err.birdMessage ?? err.code ?? 'HTTP 409'})`,
          nonRetryable: true,
          details: [{ operation: 'createConnector', status: 409, code: err.code, birdMessage: err.birdMessage }],
        });
      }
    },

    async getChannelReadiness({ workspaceId, connectorId }: { workspaceId: string; connectorId: string }): Promise<ChannelReadinessSnapshot> {
      const status = await bird.getConnectorStatus(workspaceId, connectorId);
      return {
        channelId: status.channel?.channelId ?? undefined,
        status: status.channel?.status,
        stage: status.channel?.stage,
        errorMessage: status.channel?.errorMessage ?? status.number?.errorMessage,
      };
    },

    /** Compensation: delete what this run created, found by id or, when the create's outcome is unknown, by tag. */
    async deleteConnector({ workspaceId, connectorId, idempotencyTag, templateRef }: DeleteConnectorInput): Promise<DeletedConnector> {
      const id = connectorId ?? (await findTaggedConnector(workspaceId, idempotencyTag, templateRef))?.id;
      if (!id) return { outcome: 'never-created' };
      const outcome = await bird.deleteConnector(workspaceId, id);
      return { outcome: outcome === 'deleted' ? 'deleted' : 'already-gone', connectorId: id };
    },
  };
}
