/**
 * Follows a run's progress until it ends. A progress query that fails (a worker slow to answer under load, a
 * server restarting) costs one update, never the wait: the run's end is awaited regardless, and queries failing for
 * longer than `warnAfterMs` are said once, with the last error.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  everyMs: number;
  warnAfterMs: number;
  warn: (message: string) => void;
}

export async function pollUntilEnded<P>(
  ended: Promise<unknown>,
  read: () => Promise<P>,
  show: (progress: P) => void,
  opts: PollOptions,
): Promise<void> {
  let done = false;
  const settle = () => (done = true);
  void ended.then(settle, settle);
  let failingSince: number | undefined;
  let warned = false;
  while (!done) {
    await Promise.race([ended.catch(() => undefined), sleep(opts.everyMs)]);
    if (done) break;
    try {
      show(await read());
      failingSince = undefined;
    } catch (err) {
      failingSince ??= Date.now();
      if (!warned && Date.now() - failingSince >= opts.warnAfterMs) {
        warned = true;
        opts.warn(
          `no progress for ${Math.round(opts.warnAfterMs / 1000)} s (${(err as Error).message}); still waiting`,
        );
      }
    }
  }
}
