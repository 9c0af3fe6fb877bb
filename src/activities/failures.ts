/**
 * Converts client errors into Temporal ApplicationFailures whose type and retryability match the client's own
 * classification, so the retry policy, the workflow and the UI all read the same verdict. Retry-After becomes
 * nextRetryDelay, so Temporal waits as long as Bird asked.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { BirdApiError } from '../bird/errors';
import { FailureType, withoutStack } from '../domain/failure-types';
import { SecretNotFoundError } from '../config/secrets';
import { isTooManyRequests } from '../bird/rate-limits/budget';

export interface BirdFailureDetails {
  operation: string;
  status?: number;
  code?: string;
  birdMessage?: string;
  /** The attempt Bird answered: a refusal on attempt 1 proves nothing was made; later, earlier attempts are unknowns. */
  attempt?: number;
}

export function toActivityFailure(err: unknown): unknown {
  if (err instanceof SecretNotFoundError) {
    return withoutStack(
      ApplicationFailure.create({
        type: FailureType.secretNotFound,
        message: err.message,
        nonRetryable: true,
        details: [{ operation: 'resolveSecret', attempt: currentAttempt() }],
      }),
    );
  }
  if (!(err instanceof BirdApiError)) return err;
  const details: BirdFailureDetails = {
    operation: err.operation,
    status: err.status,
    code: err.code,
    birdMessage: err.birdMessage,
    attempt: currentAttempt(),
  };
  return withoutStack(
    ApplicationFailure.create({
      type: failureTypeOf(err),
      message: err.message,
      nonRetryable: !err.retryable,
      details: [details],
      nextRetryDelay: err.retryable && err.retryAfterMs !== undefined ? err.retryAfterMs : undefined,
    }),
  );
}

function failureTypeOf(err: BirdApiError): string {
  switch (err.kind) {
    case 'timeout':
    case 'network':
      return FailureType.unreachable;
    case 'contract':
      return FailureType.contractViolation;
    case 'invalid-request':
      return FailureType.invalidRequest;
    case 'http':
      if (isTooManyRequests(err.status)) return FailureType.rateLimited;
      if ((err.status ?? 0) >= 500) return FailureType.serverError;
      return FailureType.rejected;
  }
}

/** Wraps an activity so every thrown client error leaves it as a classified ApplicationFailure. */
export function classified<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}

function currentAttempt(): number | undefined {
  try {
    return Context.current().info.attempt;
  } catch {
    return undefined; // not inside an activity (the client used directly)
  }
}
