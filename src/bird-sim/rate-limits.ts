/**
 * Bird's rate limits, as the simulator enforces them: per workspace, GET requests and writes (POST, DELETE) each
 * with their own budget per second, answered 429 with `Retry-After` once spent. Two models, because Bird does not
 * document which window it uses:
 *
 * - `token-bucket` (default): a bucket per (workspace, kind) holding one second's worth and refilled at the rate. The
 *   long-run rate is the limit, but a full bucket plus a second of refill lets up to twice the limit through in one
 *   second — as lenient as Temporal's own task-queue limiter, which is built the same way.
 * - `sliding-window`: no more than the limit in ANY one-second window (a log of the accepted requests of the last
 *   second), as many API gateways do. The strictest reading of "50 GET per second"; refused requests do not count.
 */
export type RateLimitWindow = 'token-bucket' | 'sliding-window';
export const RATE_LIMIT_WINDOWS: readonly RateLimitWindow[] = ['token-bucket', 'sliding-window'];

export interface RateLimits {
  getPerSecond: number;
  postPerSecond: number;
  /** How the budget is counted; `token-bucket` when absent. */
  window?: RateLimitWindow;
}

type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  /** Sliding window: the times of the requests accepted within the last second, oldest first. */
  readonly #logs = new Map<string, number[]>();

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
    this.#logs.clear();
  }

  /** Takes one request from the workspace's budget; the seconds to wait when there is none left. */
  take(workspaceId: string, method: string): Verdict {
    if (!this.limits) return { ok: true };
    const kind = method === 'GET' ? 'get' : 'write';
    const rate = kind === 'get' ? this.limits.getPerSecond : this.limits.postPerSecond;
    const key = `${workspaceId}/${kind}`;
    return this.limits.window === 'sliding-window' ? this.#slide(key, rate) : this.#bucket(key, rate);
  }

  #bucket(key: string, rate: number): Verdict {
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

  #slide(key: string, rate: number): Verdict {
    const now = this.now();
    const log = this.#logs.get(key) ?? [];
    this.#logs.set(key, log);
    while (log.length > 0 && log[0]! <= now - 1000) log.shift();
    if (log.length < Math.max(1, Math.floor(rate))) {
      log.push(now);
      return { ok: true };
    }
    // The window frees a place when its oldest request is a second old.
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((log[0]! + 1000 - now) / 1000)) };
  }
}
