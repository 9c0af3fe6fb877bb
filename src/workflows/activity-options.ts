/**
 * Activity options per kind of Bird call. Every policy lists the non-retryable failure types the activities raise
 * for 4xx answers, so Temporal never retries what Bird has refused.
 *
 * Timeouts are sized to one Bird request (the client aborts each after BIRD_REQUEST_TIMEOUT_MS, 10 s by default),
 * and every Bird activity heartbeats while it runs: a worker killed mid-request is noticed after HEARTBEAT_TIMEOUT
 * and the work retried on another worker within seconds, instead of after a start-to-close timeout.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '../domain/failure-types';

const nonRetryableErrorTypes = NON_RETRYABLE_FAILURE_TYPES;
export const HEARTBEAT_TIMEOUT = '3s';

/**
 * Create: bounded in time (5 min), so a cancellation waiting on it is answered within minutes, and not in attempts:
 * a retried attempt needs a lookup page and the create itself to succeed, so with 30% of Bird's answers 5xx/429 one
 * in two attempts fails, and a limit of 10 attempts fails about one provisioning in 200 (measured by the fault
 * suite) although Bird is up. Every 10 s at most, there are ~30 attempts in the 5 minutes. startToClose covers
 * a retried attempt's ownership lookup (several pages); the heartbeat, not this, is what detects a dead worker.
 */
export const createOptions: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', nonRetryableErrorTypes },
};

/** The ownership lookup after a 409 on a retried create: retried on its own, never the create. */
export const lookupOptions: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes },
};

/** The one status read at the readiness deadline (getChannelReadiness); the polls before it: readinessPollOptions. */
export const finalStatusReadOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 3,
    nonRetryableErrorTypes,
  },
};

/**
 * Readiness polling as retries of one activity: the poll backoff is the retry policy and the deadline is the
 * schedule-to-close timeout. No attempt limit (maximumAttempts left unset); "not ready yet" is the retryable failure.
 */
export function readinessPollOptions(p: {
  initialMs: number;
  coefficient: number;
  maxMs: number;
  remainingMs: number;
}): ActivityOptions {
  return {
    startToCloseTimeout: '30s',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: Math.max(1, p.remainingMs),
    retry: {
      initialInterval: p.initialMs,
      backoffCoefficient: p.coefficient,
      maximumInterval: p.maxMs,
      nonRetryableErrorTypes,
    },
  };
}

/**
 * Compensation must not give up while the connector may still exist: retried until Bird deletes it (or answers it is
 * gone) or refuses it definitively (a 4xx other than 429), with capped backoff and no attempt or time limit. While it
 * retries, the run's ProvisioningStage stays "compensating", where an operator can find it.
 */
export const compensationOptions: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes },
};

/** Checking secret references touches no network: a local activity, no task-queue round trip. */
export const secretCheckOptions: LocalActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes },
};

/**
 * Bulk bookkeeping on the workflow queue (the store, Temporal lookups): no Bird call, so no rate limit. Retried
 * without a limit except for what no retry can fix: an inventory object that is missing or was altered
 * (BulkStoreCorrupt, in the non-retryable list).
 */
export const bulkStoreOptions: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes },
};

/**
 * The orphan audit's deletes: a few attempts, then the failure is reported and the next audit (the schedule) tries
 * again. Unlike compensation it must not wait for Bird forever: a stuck audit would hold its schedule's next runs.
 */
export const reconcileDeleteOptions: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 5,
    nonRetryableErrorTypes,
  },
};
