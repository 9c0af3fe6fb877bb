/**
 * Heartbeats for every activity that talks to Bird, so a worker killed mid-request is noticed within the
 * activity's heartbeat timeout (seconds) rather than its start-to-close timeout, and the work is retried elsewhere.
 * The SDK throttles heartbeats to a fraction of the timeout, so ticking every second costs the server little and
 * adds nothing to workflow history; the first tick comes after a second (HEARTBEAT_TIMEOUT is 3 s), so a call that
 * answers sooner sends none.
 */
import { Context } from '@temporalio/activity';

const TICK_MS = 1_000;
const checkpoints = new WeakMap<Context, unknown>();

/** Records where a long activity got to; a retried attempt reads it back from `info.heartbeatDetails`. */
export function checkpoint(details: unknown): void {
  const ctx = Context.current();
  checkpoints.set(ctx, details);
  ctx.heartbeat(details);
}

export function heartbeating<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const ctx = Context.current();
    // Until this attempt records its own checkpoint, keep the previous attempt's, or a retry would lose its place.
    const beat = () => ctx.heartbeat(checkpoints.has(ctx) ? checkpoints.get(ctx) : ctx.info.heartbeatDetails);
    // The first beat after a tick, not at once: a heartbeat that reaches the server is a billable action in
    // Temporal Cloud, and most Bird calls answer well within a second (docs/budgets.md).
    const ticker = setInterval(beat, TICK_MS);
    try {
      return await fn(...args);
    } finally {
      clearInterval(ticker);
    }
  };
}
