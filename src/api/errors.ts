/**
 * The API's errors, one JSON shape for all ({ error: { status, code, message, problems? } }), and which failures
 * of the Temporal client mean "try again later" (503 + Retry-After) rather than a bug.
 */
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError } from '@temporalio/client';

export interface Problem {
  field?: string;
  line?: number;
  phoneNumberId?: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) =>
  new ApiError(404, 'not-found', `no ${what} (or not in a workspace of this API key)`);

/** "field: reason" strings (the one format every door refuses input in) as problems; `prefix` roots the field. */
export function fieldProblems(problems: readonly string[], prefix = ''): Problem[] {
  return problems.map((p) => {
    const colon = p.indexOf(': ');
    return colon < 0 ? { reason: p } : { field: `${prefix}${p.slice(0, colon)}`, reason: p.slice(colon + 2) };
  });
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
