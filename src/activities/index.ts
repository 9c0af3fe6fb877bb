/**
 * The activity factory: the worker (and tests) hand it a Bird client and a secret store, and get back the
 * activities, each wrapped so Bird errors leave as classified ApplicationFailures.
 */
import type { Client } from '@temporalio/client';
import type { BirdClient } from '../bird/client';
import type { BirdRateLimits } from '../bird/rate-limits/budget';
import { AdoptionRecords } from '../bulk/adoption-records';
import type { BulkStore } from '../bulk/store';
import type { SecretStore } from '../config/secrets';
import { applyActivities } from './apply';
import { bulkActivities } from './bulk';
import { bulkOffboardActivities } from './bulk-offboard';
import { connectorActivities } from './connectors';
import { classified } from './failures';
import { heartbeating } from './heartbeat';
import { offboardingActivities } from './offboarding';
import { offboardingGuard, type RunningOffboarding } from './offboarding-guard';
import { planActivities } from './plan';
import { reconcileActivities } from './reconcile';
import { secretReferenceActivities } from './secret-references';
import { subscriptionActivities } from './subscriptions';

export interface ActivityDeps {
  bird: BirdClient;
  secrets: SecretStore;
  /** Where bulk runs keep their inventory and outcomes; bulk activities fail clearly without one. */
  bulkStore?: BulkStore;
  /** For tests; activities otherwise use the worker's own client. */
  temporal?: () => Client;
  /** Bird's limits as this worker is told them (a bulk run sizes its window from them). */
  birdRateLimits?: BirdRateLimits;
  /** The client's offboarding lookup (the worker hands it in): the create refuses while one runs. */
  runningOffboarding?: RunningOffboarding;
}

type BirdActivities = ReturnType<typeof connectorActivities> &
  ReturnType<typeof subscriptionActivities> &
  ReturnType<typeof bulkActivities> &
  ReturnType<typeof bulkOffboardActivities> &
  ReturnType<typeof reconcileActivities> &
  ReturnType<typeof offboardingActivities> &
  ReturnType<typeof planActivities> &
  ReturnType<typeof applyActivities>;
type RawActivities = BirdActivities & ReturnType<typeof secretReferenceActivities>;
/** Plain function properties (not methods): activities are always called unbound. */
export type Activities = { [K in keyof RawActivities]: RawActivities[K] };

export function createActivities(deps: ActivityDeps): Activities {
  const adoptions = deps.bulkStore && new AdoptionRecords(deps.bulkStore.backend);
  const bird: BirdActivities = {
    ...connectorActivities({
      ...deps,
      ...(deps.runningOffboarding
        ? { refuseWhileOffboarding: offboardingGuard(deps.runningOffboarding, deps.temporal) }
        : {}),
    }),
    ...subscriptionActivities(deps),
    ...bulkActivities({
      bird: deps.bird,
      store: deps.bulkStore,
      temporal: deps.temporal,
      birdRateLimits: deps.birdRateLimits,
    }),
    ...bulkOffboardActivities({ store: deps.bulkStore }),
    ...reconcileActivities({ bird: deps.bird, temporal: deps.temporal, adoptions }),
    ...offboardingActivities({ bird: deps.bird, temporal: deps.temporal }),
    ...planActivities({ bird: deps.bird, adoptions }),
    ...applyActivities({ store: deps.bulkStore, adoptions }),
  };
  const wrapped: Record<string, unknown> = {};
  // Every remote call heartbeats (a killed worker's request is retried within seconds); the secret check is local.
  for (const [name, fn] of Object.entries(bird))
    wrapped[name] = classified(heartbeating(fn as (...args: unknown[]) => Promise<unknown>));
  for (const [name, fn] of Object.entries(secretReferenceActivities(deps)))
    wrapped[name] = classified(fn as (...args: unknown[]) => Promise<unknown>);
  return wrapped as Activities;
}

export type {
  ActiveChannel,
  ChannelReadinessSnapshot,
  ConnectorRef,
  CreateConnectorOutcome,
  DeletedConnector,
} from './connectors';
export type { InventoryPageRow } from './bulk';
export type { ChannelConnectorsPage, ProvisioningRecord } from './offboarding';
export type { PlanPage } from './plan';
export type { RegisteredSubscription } from './subscriptions';
