/**
 * Even pacing of one worker's share of Bird's per-workspace limits, with an adaptive back-off on 429.
 *
 * Why it exists: the Temporal server is the coordinator across workers (the Bird queues' task-queue rate limit,
 * src/worker/factory.ts), but its limiter is a token bucket holding one second's worth of tasks (matching's
 * rate-limit manager uses a burst duration of one second, and without fairness splits the rate over the queue's
 * partitions, each with its own bucket). A queue idle for a second therefore hands out a full second's tasks at once
 * and then keeps refilling, so up to twice the limit can reach Bird within one second. Against a gateway that counts
 * "50 per second" in any one-second window, that burst is refused (measured: 7.4% of calls answered 429).
 *
 * What closes the gap, in each worker process:
 * - pacing: calls of one (workspace, GET|write) leave in turn, each at least `1 / (limit × headroom / workers)`
 *   after the previous one actually left, where `workers` is how many workers poll the Bird queue (read from the server, see
 *   src/bird/rate-limits/pacer-shares.ts). Evenly spaced calls at headroom × the limit never put more than the limit in any
 *   one-second window, and leave room for network jitter. A burst from the server waits in the worker instead.
 * - no share left idle: the worker takes a Bird task from the server only when few of its calls wait here
 *   (`waiting`, read by the activity slot supplier in src/bird/rate-limits/pacer-shares.ts), so the backlog stays in the server
 *   and goes to whichever worker has room; a worker that the server happens to feed less is not left with an idle
 *   share while the other queues calls behind its own.
 * - bounded waits: a call whose turn is further away than `maxWaitMs` does not wait at all (`acquire` answers
 *   `{ waitMs }` and takes no turn); the caller fails it as retryable, so the wait never eats the activity's
 *   start-to-close timeout.
 * - adaptive back-off: a 429 for a workspace slows every call of that workspace in this worker (the rate is cut to
 *   3/4, down to a quarter), not just the activity that met it; each accepted call wins back 1% of the rate. Another
 *   worker (a share count not yet refreshed, another client of the same workspace) is so absorbed in a few 429s.
 * Bird's rate-limit response headers are not read: the contract documents none, so nothing can be relied on there.
 * A lane idle for `IDLE_LANE_MS` is forgotten (a fresh lane behaves the same), so the map does not grow with every
 * workspace ever served.
 *
 * No Temporal here: the client calls `acquire` before each request and `observe` after it.
 */
export type CallKind = 'get' | 'write';

export interface PacerLimits {
  getPerSecond: number;
  postPerSecond: number;
}

export interface PacerOptions {
  /** What all workers together aim for, as a fraction of Bird's limit (room for jitter between the workers' clocks). */
  headroom?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What a 429 leaves of the rate, the least it can fall to, and what an accepted call wins back. */
const BACKOFF = 0.75;
const MIN_FACTOR = 0.25;
const RECOVERY = 0.01;
/** A lane with no call for this long is dropped; a 429 that old says nothing about Bird now. */
export const IDLE_LANE_MS = 60_000;

interface Lane {
  kind: CallKind;
  /** When the last call left (its actual time, not its planned one). */
  last: number;
  /** Settles when the last call that queued has left: calls leave in the order they came. */
  tail: Promise<void>;
  /** The adaptive factor, 1 when Bird has not refused anything lately. */
  factor: number;
  /** Calls waiting for their turn. */
  waiting: number;
  /** The last time a call came or an answer did. */
  used: number;
}

/** `{}` when the call may go now; `{ waitMs }` when its turn is further away than it may wait (no turn taken). */
export type Acquired = { waitMs?: undefined } | { waitMs: number };

export class BirdPacer {
  readonly #lanes = new Map<string, Lane>();
  readonly #workers: Record<CallKind, number> = { get: 1, write: 1 };
  readonly #listeners = new Set<() => void>();
  readonly #headroom: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #swept = 0;

  constructor(
    private readonly limits: PacerLimits,
    opts: PacerOptions = {},
  ) {
    this.#headroom = opts.headroom ?? 0.95;
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** How many workers share the limit of this kind of call (each paces to its share). */
  setWorkers(kind: CallKind, workers: number): void {
    this.#workers[kind] = Math.max(1, Math.floor(workers));
  }

  workers(kind: CallKind): number {
    return this.#workers[kind];
  }

  /** The calls per second this worker allows itself now for the workspace. */
  rate(workspaceId: string, kind: CallKind): number {
    return this.#rate(this.#lane(workspaceId, kind));
  }

  /** Calls of this kind waiting for their turn, and over how many workspaces. */
  waiting(kind: CallKind): { calls: number; lanes: number } {
    let calls = 0;
    let lanes = 0;
    for (const lane of this.#lanes.values()) {
      if (lane.kind !== kind || lane.waiting === 0) continue;
      calls += lane.waiting;
      lanes += 1;
    }
    return { calls, lanes };
  }

  /** Called each time a waiting call leaves; returns the unsubscribe. */
  onLeave(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Lanes kept (idle ones are dropped as calls come). */
  get lanes(): number {
    return this.#lanes.size;
  }

  /**
   * Resolves when the call may go: one interval after the previous call of the lane actually left. Spacing from the
   * actual departures, not from planned ones, keeps a stalled event loop (a busy worker) from sending the calls
   * whose turns passed during the stall all at once.
   */
  async acquire(workspaceId: string, kind: CallKind, maxWaitMs = Number.POSITIVE_INFINITY): Promise<Acquired> {
    const now = this.#now();
    this.#sweep(now);
    const lane = this.#lane(workspaceId, kind);
    lane.used = now;
    const interval = 1000 / this.#rate(lane);
    const turn = Math.max(now, lane.last + (lane.waiting + 1) * interval);
    if (turn - now > maxWaitMs) return { waitMs: turn - now };
    if (turn <= now) {
      lane.last = now;
      return {};
    }
    lane.waiting += 1;
    const previous = lane.tail;
    let left!: () => void;
    lane.tail = new Promise<void>((resolve) => (left = resolve));
    try {
      await previous;
      for (let wait = this.#untilTurn(lane); wait > 0; wait = this.#untilTurn(lane)) await this.#sleep(wait);
      lane.last = this.#now();
    } finally {
      lane.waiting -= 1;
      left();
      for (const listener of this.#listeners) listener();
    }
    return {};
  }

  /** Told each answer: a 429 slows the workspace's lane, an accepted call speeds it back up. */
  observe(workspaceId: string, kind: CallKind, status: number): void {
    const lane = this.#lane(workspaceId, kind);
    lane.used = this.#now();
    if (status === 429) {
      lane.factor = Math.max(MIN_FACTOR, lane.factor * BACKOFF);
      // The next call goes one new (longer) interval after now, not after the last departure.
      lane.last = Math.max(lane.last, this.#now());
    } else if (lane.factor < 1) {
      lane.factor = Math.min(1, lane.factor + RECOVERY);
    }
  }

  #untilTurn(lane: Lane): number {
    return lane.last + 1000 / this.#rate(lane) - this.#now();
  }

  #rate(lane: Lane): number {
    const limit = lane.kind === 'get' ? this.limits.getPerSecond : this.limits.postPerSecond;
    return ((limit * this.#headroom) / this.#workers[lane.kind]) * lane.factor;
  }

  #lane(workspaceId: string, kind: CallKind): Lane {
    const key = `${workspaceId}/${kind}`;
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = {
        kind,
        last: Number.NEGATIVE_INFINITY,
        tail: Promise.resolve(),
        factor: 1,
        waiting: 0,
        used: this.#now(),
      };
      this.#lanes.set(key, lane);
    }
    return lane;
  }

  /** Drops lanes idle for IDLE_LANE_MS, at most once per IDLE_LANE_MS (a pass over the map, not per call). */
  #sweep(now: number): void {
    if (now - this.#swept < IDLE_LANE_MS) return;
    this.#swept = now;
    for (const [key, lane] of this.#lanes) {
      if (lane.waiting === 0 && now - lane.used >= IDLE_LANE_MS) this.#lanes.delete(key);
    }
  }
}
