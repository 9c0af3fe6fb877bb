/**
 * Activity options per kind of Bird call. Every policy lists the non-retryable failure types the activities
 * raise for 4xx answers, so Temporal never retries what Bird has refused.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '../domain/failure-types';

const nonRetryableErrorTypes = NON_RETRYABLE_FAILURE_TYPES;

/** Create calls: bounded so a cancellation waiting on them is answered within minutes. */
export const createOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes },
};

/** One status read; the readiness loop itself is the long retry, so a poll gives up quickly. */
export const pollOptions: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3, nonRetryableErrorTypes },
};

/** Compensation must succeed if at all possible: retried longer, then surfaced in the failure. */
export const compensationOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '15m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 25, nonRetryableErrorTypes },
};
