/**
 * Replay protection for Bird webhook deliveries. Bird retries a delivery for hours with its original timestamp and
 * body, so a tight timestamp window would reject honest retries. Instead: every delivery key (timestamp + body
 * digest, what the signature covers) is remembered for the whole window (an LRU bounded in size), and anything
 * older than the window, or from the future, is refused.
 */
import { LRUCache } from 'lru-cache';
import { webhookSentAtMs } from '../bird/signature';

export interface ReplayGuardOptions {
  /** How long a delivery key is remembered and how old a timestamp may be. Default 24 h. */
  windowMs?: number;
  /** Tolerated clock skew for timestamps in the future. Default 5 min. */
  futureSkewMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export type TimestampVerdict =
  | { verdict: 'ok'; sentAtMs: number }
  | { verdict: 'malformed' | 'neither seconds nor milliseconds' | 'too-old' | 'in-future' };

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
    const sentAtMs = webhookSentAtMs(header);
    if (typeof sentAtMs === 'string') return { verdict: sentAtMs };
    const now = this.#now();
    if (sentAtMs < now - this.#windowMs) return { verdict: 'too-old' };
    if (sentAtMs > now + this.#futureSkewMs) return { verdict: 'in-future' };
    return { verdict: 'ok', sentAtMs };
  }

  /** Claims a delivery (its signed key) for processing; false when it was already processed or is being processed. */
  claim(key: string): boolean {
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, 'in-flight');
    return true;
  }

  complete(key: string): void {
    this.#seen.set(key, 'done');
  }

  /** Processing failed (e.g. Temporal unreachable): let Bird's retry through. */
  release(key: string): void {
    this.#seen.delete(key);
  }
}
