/**
 * ApplicationFailure type names, shared by activities (which throw them) and the workflow (whose retry policies
 * list the non-retryable ones). Pure, so workflow code may import it.
 */
export const FailureType = {
  rejected: 'BirdRejected',
  rateLimited: 'BirdRateLimited',
  serverError: 'BirdServerError',
  unreachable: 'BirdUnreachable',
  contractViolation: 'BirdContractViolation',
  invalidRequest: 'BirdInvalidRequest',
  secretNotFound: 'SecretNotFound',
  connectorAlreadyExists: 'ConnectorAlreadyExists',
  invalidSecret: 'InvalidSecret',
  /** Readiness polling: "not yet" (retryable: the retry policy is the poll backoff) and a failed channel (final). */
  channelNotReady: 'ChannelNotReady',
  channelFailed: 'ChannelFailed',
  /** A bulk-store object (an inventory's manifest or chunk) that is missing or was altered. */
  bulkStoreCorrupt: 'BulkStoreCorrupt',
  /** A create refused because the channel's offboarding runs (src/activities/offboarding-guard.ts): nothing sent. */
  beingOffboarded: 'ChannelBeingOffboarded',
} as const;

/**
 * The type of the failure that ends any workflow whose input its schema refuses (provisioning, the orphan audit, a
 * subscription entity). The string names provisioning only, yet callers match on it and closed runs carry it, so it
 * is kept as it is.
 */
export const INVALID_WORKFLOW_INPUT = 'InvalidProvisioningInput';

/** Failure types no retry can fix; listed in every activity retry policy as well as flagged on the failure. */
export const NON_RETRYABLE_FAILURE_TYPES: string[] = [
  FailureType.rejected,
  FailureType.contractViolation,
  FailureType.invalidRequest,
  FailureType.secretNotFound,
  FailureType.connectorAlreadyExists,
  FailureType.invalidSecret,
  FailureType.channelFailed,
  FailureType.bulkStoreCorrupt,
  FailureType.beingOffboarded,
];

/**
 * Failures that prove Bird did not act on the request (it refused it, or it was never sent). A create that failed
 * with one of these on its first attempt made nothing, so there is nothing to look for and nothing to undo.
 */
export const REQUEST_NOT_ACTED_ON: string[] = [
  FailureType.rejected,
  FailureType.invalidRequest,
  FailureType.secretNotFound,
  FailureType.invalidSecret,
  FailureType.beingOffboarded,
];

/**
 * A failure the design expects (a refusal, invalid input, a failed provisioning), made to be read by people: without
 * its stack. The stack tells that reader nothing, and in a history it publishes the worker's file layout to everyone
 * who can see the run. Bugs keep theirs: they are never made with this, and fail the workflow task (or the activity
 * attempt) with their stack, in the worker's log.
 */
export function withoutStack<E extends Error>(err: E): E {
  err.stack = '';
  return err;
}

/** The innermost message of a failure and its causes (a child's activity's own words, not "Child Workflow execution failed"). */
export function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
