/**
 * Webhook subscription activities. Signing keys arrive by reference and are resolved here; the subscription
 * returned to the workflow never includes one.
 */
import type { BirdClient } from '../bird/client';
import type { WebhookEventFilter, WebhookService } from '../bird/schemas';
import type { ChannelSubscriptionSpec } from '../domain/provisioning-input';
import type { SecretStore } from '../config/secrets';

export interface RegisteredSubscription {
  subscriptionId: string;
  service: WebhookService;
  event: string;
  url: string;
}

export interface SubscriptionTarget {
  organizationId: string;
  workspaceId: string;
}

export function subscriptionActivities({ bird, secrets }: { bird: BirdClient; secrets: SecretStore }) {
  async function register(
    target: SubscriptionTarget,
    spec: {
      service: WebhookService;
      event: string;
      url: string;
      eventFilters: WebhookEventFilter[];
      signingKeyRef?: string;
    },
  ): Promise<RegisteredSubscription> {
    const created = await bird.createWebhookSubscription(target.organizationId, target.workspaceId, {
      service: spec.service,
      event: spec.event,
      url: spec.url,
      eventFilters: spec.eventFilters,
      signingKey: spec.signingKeyRef ? secrets.resolve(spec.signingKeyRef).reveal() : undefined,
    });
    return { subscriptionId: created.id, service: created.service, event: created.event, url: created.url };
  }

  return {
    /** A subscription scoped to one channel: the channelId filter is added here, never left to the caller. */
    async createChannelSubscription(
      input: SubscriptionTarget & { channelId: string; subscription: ChannelSubscriptionSpec },
    ): Promise<RegisteredSubscription> {
      const { subscription } = input;
      return register(input, {
        ...subscription,
        eventFilters: [...subscription.eventFilters, { key: 'channelId', value: input.channelId }],
      });
    },

    /** A workspace-wide subscription (the receiver's channel.updated feed). */
    async createWorkspaceSubscription(
      input: SubscriptionTarget & { service: WebhookService; event: string; url: string; signingKeyRef?: string },
    ): Promise<RegisteredSubscription> {
      return register(input, { ...input, eventFilters: [] });
    },
  };
}
