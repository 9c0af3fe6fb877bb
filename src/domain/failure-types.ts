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
} as const;

/** Failure types no retry can fix; listed in every activity retry policy as well as flagged on the failure. */
export const NON_RETRYABLE_FAILURE_TYPES: string[] = [
  FailureType.rejected,
  FailureType.contractViolation,
  FailureType.invalidRequest,
  FailureType.secretNotFound,
  FailureType.connectorAlreadyExists,
  FailureType.invalidSecret,
];
