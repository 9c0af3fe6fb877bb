/**
 * The activity factory: the worker (and tests) hand it a Bird client and a secret store, and get back the
 * activities, each wrapped so Bird errors leave as classified ApplicationFailures.
 */
import type { BirdClient } from '../bird/client';
import type { SecretStore } from '../secrets';
import { connectorActivities } from './connectors';
import { classified } from './failures';
import { subscriptionActivities } from './subscriptions';

export interface ActivityDeps {
  bird: BirdClient;
  secrets: SecretStore;
}

type RawActivities = ReturnType<typeof connectorActivities> & ReturnType<typeof subscriptionActivities>;
/** Plain function properties (not methods): activities are always called unbound. */
export type Activities = { [K in keyof RawActivities]: RawActivities[K] };

export function createActivities(deps: ActivityDeps): Activities {
  const raw: RawActivities = { ...connectorActivities(deps), ...subscriptionActivities(deps) };
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(raw)) wrapped[name] = classified(fn as (...args: unknown[]) => Promise<unknown>);
  return wrapped as Activities;
}

export type { CreatedConnector, DeletedConnector, ChannelReadinessSnapshot } from './connectors';
export type { RegisteredSubscription } from './subscriptions';
export { FailureType, NON_RETRYABLE_FAILURE_TYPES } from './failures';
