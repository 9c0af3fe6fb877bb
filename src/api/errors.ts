/**
 * The API's errors, one JSON shape for all ({ error: { status, code, message, problems? } }), and which failures
 * of the Temporal client mean "try again later" (503 + Retry-After) rather than a bug.
 */
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import type { Problem } from '../base/problems';
import { InvalidFields } from '../base/zod-issues';
import { InventoryFileError } from '../bulk/inventory-file';
import { InvalidBulkDefaults } from '../domain/bulk-input';

/** A problem as the body says it: a bad line of an uploaded inventory also names its number as the file wrote it. */
export type ProblemBody = Problem & { phoneNumberId?: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: readonly ProblemBody[],
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) =>
  new ApiError(404, 'not-found', `no ${what} (or not in a workspace of this API key)`);

/**
 * The API's one mapping of input refused by the client and domain (problems as data) to a status and a body, or
 * undefined for any other error. Bulk defaults are a field of the request body (`defaults`), so their fields are
 * rooted there.
 */
export function refusalOf(err: unknown): ApiError | undefined {
  if (err instanceof InvalidBulkDefaults) {
    const problems = err.problems.map((p) => ({ ...p, field: `defaults.${p.field}` }));
    return new ApiError(422, 'invalid-defaults', err.message, problems);
  }
  if (err instanceof InventoryFileError) return new ApiError(422, 'invalid-inventory', err.message, err.problems);
  if (err instanceof InvalidFields) return new ApiError(422, 'invalid-input', err.message, err.problems);
  return undefined;
}

/** gRPC codes that mean the server (or a worker answering a query) is not there now: DEADLINE_EXCEEDED, UNAVAILABLE. */
const UNAVAILABLE_CODES = new Set([4, 14]);

export function temporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && UNAVAILABLE_CODES.has(e.code as number)) return true;
    if (
      e instanceof Error &&
      /Failed to connect before the deadline|connection refused|ECONNREFUSED|deadline exceeded/i.test(e.message)
    )
      return true;
    if (e instanceof ServiceError && !e.cause) return true;
  }
  return false;
}

export function isNotFound(err: unknown): boolean {
  const NOT_FOUND: number = 5;
  const code = (e: unknown): number | undefined => (isGrpcServiceError(e) ? (e.code as number) : undefined);
  return (
    err instanceof WorkflowNotFoundError ||
    code(err) === NOT_FOUND ||
    (err instanceof ServiceError && code(err.cause) === NOT_FOUND)
  );
}
