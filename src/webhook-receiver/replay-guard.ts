/**
 * Replay protection for Bird webhook deliveries. Bird retries a delivery for hours with its original timestamp and
 * request id, so a tight timestamp window would reject honest retries. Instead: every request id is remembered for
 * the whole window (an LRU bounded in size), and anything older than the window, or from the future, is refused.
 */
import { LRUCache } from 'lru-cache';

export interface ReplayGuardOptions {
  /** How long a request id is remembered and how old a timestamp may be. Default 24 h. */
  windowMs?: number;
  /** Tolerated clock skew for timestamps in the future. Default 5 min. */
  futureSkewMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export type TimestampVerdict = 'ok' | 'malformed' | 'too-old' | 'in-future';

export class ReplayGuard {
  readonly #seen: LRUCache<string, 'done' | 'in-flight'>;
  readonly #windowMs: number;
  readonly #futureSkewMs: number;
  readonly #now: () => number;

  constructor(opts: ReplayGuardOptions = {}) {
    this.#windowMs = opts.windowMs ?? 24 * 3_600_000;
    this.#futureSkewMs = opts.futureSkewMs ?? 5 * 60_000;
    this.#now = opts.now ?? Date.now;
    this.#seen = new LRUCache({ max: opts.maxEntries ?? 100_000, ttl: this.#windowMs, ttlAutopurge: false });
  }

  checkTimestamp(header: string): TimestampVerdict {
    if (!/^\d{1,13}$/.test(header)) return 'malformed';
    const sentAtMs = Number(header) * 1000;
    const now = this.#now();
    if (sentAtMs < now - this.#windowMs) return 'too-old';
    if (sentAtMs > now + this.#futureSkewMs) return 'in-future';
    return 'ok';
  }

  /** Claims a request id for processing; false when it was already processed or is being processed. */
  claim(requestId: string): boolean {
    if (this.#seen.has(requestId)) return false;
    this.#seen.set(requestId, 'in-flight');
    return true;
  }

  complete(requestId: string): void {
    this.#seen.set(requestId, 'done');
  }

  /** Processing failed (e.g. Temporal unreachable): let Bird's retry through. */
  release(requestId: string): void {
    this.#seen.delete(requestId);
  }
}
