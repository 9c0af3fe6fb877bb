/**
 * Bird's rate limits, as the simulator enforces them: per workspace, GET requests and writes (POST, DELETE) each
 * with their own budget per second, answered 429 with `Retry-After` once spent. A token bucket per (workspace,
 * kind) whose capacity is one second's worth, so a burst never exceeds the documented rate.
 */
export interface RateLimits {
  getPerSecond: number;
  postPerSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private limits: RateLimits | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get config(): RateLimits | undefined {
    return this.limits;
  }

  set(limits: RateLimits | undefined): void {
    this.limits = limits;
    this.#buckets.clear();
  }

  /** Takes one request from the workspace's budget; the seconds to wait when there is none left. */
  take(workspaceId: string, method: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    if (!this.limits) return { ok: true };
    const kind = method === 'GET' ? 'get' : 'write';
    const rate = kind === 'get' ? this.limits.getPerSecond : this.limits.postPerSecond;
    const key = `${workspaceId}/${kind}`;
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)) };
  }
}
