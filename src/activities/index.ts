/**
 * The activity factory: the worker (and tests) hand it a Bird client and a secret store, and get back the
 * activities, each wrapped so Bird errors leave as classified ApplicationFailures.
 */
import type { BirdClient } from '../bird/client';
import type { SecretStore } from '../secrets';
import { connectorActivities } from './connectors';
import { classified } from './failures';
import { heartbeating } from './heartbeat';
import { secretReferenceActivities } from './secret-references';
import { subscriptionActivities } from './subscriptions';

export interface ActivityDeps {
  bird: BirdClient;
  secrets: SecretStore;
}

type BirdActivities = ReturnType<typeof connectorActivities> & ReturnType<typeof subscriptionActivities>;
type RawActivities = BirdActivities & ReturnType<typeof secretReferenceActivities>;
/** Plain function properties (not methods): activities are always called unbound. */
export type Activities = { [K in keyof RawActivities]: RawActivities[K] };

export function createActivities(deps: ActivityDeps): Activities {
  const bird: BirdActivities = { ...connectorActivities(deps), ...subscriptionActivities(deps) };
  const wrapped: Record<string, unknown> = {};
  // Every Bird call heartbeats (a killed worker's request is retried within seconds); the secret check is local.
  for (const [name, fn] of Object.entries(bird)) wrapped[name] = classified(heartbeating(fn as (...args: unknown[]) => Promise<unknown>));
  for (const [name, fn] of Object.entries(secretReferenceActivities(deps))) wrapped[name] = classified(fn as (...args: unknown[]) => Promise<unknown>);
  return wrapped as Activities;
}

export type { ActiveChannel, ChannelReadinessSnapshot, ConnectorRef, CreateConnectorOutcome, DeletedConnector } from './connectors';
export type { RegisteredSubscription } from './subscriptions';
export { FailureType, NON_RETRYABLE_FAILURE_TYPES } from './failures';
