/**
 * Every failure of a Bird call becomes one BirdApiError, classified once here so that the activity retry
 * policy, the workflow and the CLI all agree on what is worth retrying.
 */
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
  if (e.kind === 'http' && e.status !== undefined) return e.status === 429 || e.status >= 500;
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

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only the HTTP-date form (IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"): Date.parse accepts junk too.
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
