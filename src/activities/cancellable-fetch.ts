/**
 * A fetch for the worker's BirdClient that also aborts when the calling activity is cancelled — notably when a
 * draining worker's shutdownGraceTime runs out: the Bird call is abandoned, the process can exit, and Temporal
 * retries the activity on another worker (every Bird activity is idempotent by tag). Within the grace time the call
 * simply finishes. Outside an activity (tests, the CLI) it is the plain fetch.
 */
import { Context } from '@temporalio/activity';

export function activityCancellableFetch(base: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    let cancellation: AbortSignal | undefined;
    try {
      cancellation = Context.current().cancellationSignal;
    } catch {
      cancellation = undefined; // not inside an activity
    }
    if (!cancellation) return base(input, init);
    const signal = init?.signal ? AbortSignal.any([init.signal, cancellation]) : cancellation;
    return base(input, { ...init, signal });
  };
}
