/**
 * Bird's request budget, and what the product does with it. This folder is the one home of Bird's rate limits:
 *
 * - budget.ts (this file): Bird's limits, the rate each Bird queue is served at, and what a 429 means;
 * - queues.ts: the queue split (reads on one queue, writes on another) and the fairness key of each call;
 * - fairness.ts: per-workspace budgets through the server's task-queue fairness;
 * - pacer.ts and pacer-shares.ts: even pacing of each worker's share, so no one-second window sees a burst.
 *
 * The server's task-queue rate limit coordinates every worker (it hands out at most N Bird activities per second);
 * the pacer only smooths each worker's share. docs/rate-limits.md tells the whole story.
 */

/** Bird's documented default rate limits per workspace. */
export const BIRD_RATE_LIMITS = { getPerSecond: 50, postPerSecond: 500 } as const;

export interface BirdRateLimits {
  /** Bird GET requests per second, for the whole deployment (enforced by the server on the reads queue). */
  getPerSecond: number;
  /** Bird POST (and DELETE) requests per second (the writes queue). */
  postPerSecond: number;
}

/**
 * `deployment`: the limits hold for the deployment as a whole, all workspaces sharing them (safe on any server).
 * `workspace`: each workspace gets the limits through task-queue fairness (fairness.ts), and the queues' overall
 * limit is the limits times `workspacesAtFullRate`.
 */
export type RateLimitScope = { scope: 'deployment' } | { scope: 'workspace'; workspacesAtFullRate: number };

/**
 * The rate the server hands out a Bird queue's activities at, across every worker polling it. The last worker to
 * poll sets the value, so every worker must compute the same one: it derives from settings alone.
 */
export function queueActivitiesPerSecond(
  queue: 'bird-reads' | 'bird-writes',
  limits: BirdRateLimits,
  scope: RateLimitScope,
): number {
  const perQueue = queue === 'bird-reads' ? limits.getPerSecond : limits.postPerSecond;
  return perQueue * (scope.scope === 'workspace' ? scope.workspacesAtFullRate : 1);
}

/** Bird answers 429 when a workspace is over its budget: a call that may succeed later, after Retry-After. */
export function isTooManyRequests(status: number | undefined): boolean {
  return status === 429;
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
