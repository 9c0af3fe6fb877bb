/**
 * Every failure of a Bird call becomes one BirdApiError, classified once here so that the activity retry
 * policy, the workflow and the CLI all agree on what is worth retrying.
 */
import { isTooManyRequests } from './rate-limits/budget';
export type BirdErrorKind =
  | 'http' // Bird answered with a non-success status
  | 'timeout' // our per-request deadline passed
  | 'network' // connection refused/reset, DNS, socket closed before a reply
  | 'contract' // Bird answered, but the body breaks the contract
  | 'invalid-request'; // we refused to send a request that breaks the contract

export interface BirdApiErrorInit {
  operation: string;
  kind: BirdErrorKind;
  status?: number;
  code?: string;
  birdMessage?: string;
  retryAfterMs?: number;
  detail?: string;
}

export class BirdApiError extends Error {
  readonly operation: string;
  readonly kind: BirdErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly birdMessage?: string;
  readonly retryAfterMs?: number;
  readonly retryable: boolean;

  constructor(init: BirdApiErrorInit) {
    super(describe(init));
    this.name = 'BirdApiError';
    this.operation = init.operation;
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.birdMessage = init.birdMessage;
    this.retryAfterMs = init.retryAfterMs;
    this.retryable = isRetryable(init);
  }
}

/** 429, 5xx, timeouts and connection errors may succeed later; every other 4xx and any contract break will not. */
export function isRetryable(e: Pick<BirdApiErrorInit, 'kind' | 'status'>): boolean {
  if (e.kind === 'timeout' || e.kind === 'network') return true;
  if (e.kind === 'http' && e.status !== undefined) return isTooManyRequests(e.status) || e.status >= 500;
  return false;
}

function describe(e: BirdApiErrorInit): string {
  const head = `Bird ${e.operation}`;
  switch (e.kind) {
    case 'http':
      return `${head} failed: HTTP ${e.status}${e.code ? ` ${e.code}` : ''}${e.birdMessage ? `: ${e.birdMessage}` : ''}`;
    case 'timeout':
      return `${head} timed out${e.detail ? ` (${e.detail})` : ''}`;
    case 'network':
      return `${head} could not reach Bird${e.detail ? `: ${e.detail}` : ''}`;
    case 'contract':
      return `${head} returned a response that breaks the API contract${e.detail ? `: ${e.detail}` : ''}`;
    case 'invalid-request':
      return `${head} request is invalid${e.detail ? `: ${e.detail}` : ''}`;
  }
}
