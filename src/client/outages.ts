/**
 * Waiting on a run (a bulk run takes hours) must outlast a restart of the Temporal server or a network blip. The
 * client's own gRPC retries give up after a few seconds of UNAVAILABLE, and the wait would then fail with "Failed to
 * get Workflow execution history" although the run itself goes on. Waits are therefore retried while the server is
 * unreachable, for up to `maxOutageMs` of continuous unavailability.
 */
import { isGrpcServiceError } from '@temporalio/client';

/** gRPC's UNAVAILABLE (the server is down or restarting); numeric, so @grpc/grpc-js need not be a dependency. */
const GRPC_UNAVAILABLE = 14;

export interface OutageOptions {
  /** Give up after this long without reaching the server (default 15 minutes). */
  maxOutageMs?: number;
  /** What else counts as part of an outage (default: UNAVAILABLE only), e.g. a query no worker answered yet. */
  isOutage?: (err: unknown) => boolean;
  /** Told about each retry, e.g. to print "Temporal unreachable, still waiting". */
  onUnavailable?: (err: Error, unavailableForMs: number) => void;
}

export function isServerUnavailable(err: unknown): boolean {
  for (let e = err as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (isGrpcServiceError(e) && Number(e.code) === GRPC_UNAVAILABLE) return true;
  }
  return false;
}

export async function waitThroughOutages<T>(wait: () => Promise<T>, opts: OutageOptions = {}): Promise<T> {
  const maxOutageMs = opts.maxOutageMs ?? 15 * 60_000;
  let since: number | undefined;
  for (let attempt = 0; ; attempt++) {
    const attemptStarted = Date.now();
    try {
      return await wait();
    } catch (err) {
      if (!isServerUnavailable(err) && !opts.isOutage?.(err)) throw err;
      // A wait that went on for a while reached the server: this is a new outage, not the same one.
      if (Date.now() - attemptStarted > 60_000) {
        since = undefined;
        attempt = 0;
      }
      since ??= Date.now();
      const down = Date.now() - since;
      if (down >= maxOutageMs) throw err;
      opts.onUnavailable?.(err as Error, down);
      await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * 2 ** Math.min(attempt, 4))));
    }
  }
}
