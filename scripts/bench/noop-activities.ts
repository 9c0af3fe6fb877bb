/**
 * The benchmark's baseline: the product's activities replaced by ones that return at once what Bird would, so the
 * same workflows (bulkOnboard, provisionChannel) run with no Bird at all. The ratio of the product's throughput to
 * this one's says how much of the machine's Temporal ceiling the product uses.
 */
import { randomUUID } from 'node:crypto';
import type { Activities } from '../../src/activities';
import { BIRD_RATE_LIMITS } from '../../src/bird/rate-limits/budget';

export function noopActivities(real: Activities): Activities {
  return {
    ...real, // the bulk store and lookups are the workflow's own bookkeeping, kept real
    checkSecretReferences: async () => undefined,
    createConnector: async () => ({
      outcome: 'created',
      adopted: false,
      connectorId: randomUUID(),
      channelId: randomUUID(),
    }),
    findOwnConnector: async () => undefined,
    getChannelReadiness: async () => ({ status: 'ok', stage: 'active' }),
    awaitChannelActive: async () => ({ status: 'ok', stage: 'active', channelId: randomUUID(), statusReads: 1 }),
    deleteConnector: async () => ({ outcome: 'deleted' }),
    createChannelSubscription: async (input) => ({
      subscriptionId: randomUUID(),
      service: input.subscription.service,
      event: input.subscription.event,
      url: input.subscription.url,
    }),
    createWorkspaceSubscription: async (input) => ({
      subscriptionId: randomUUID(),
      service: input.service,
      event: input.event,
      url: input.url,
    }),
    indexConnectorsPage: async () => ({ indexed: 0, birdGetPerSecond: BIRD_RATE_LIMITS.getPerSecond }),
  };
}
