/**
 * How a long-running process (worker, receiver, HTTP API, codec server) ends: main() resolves to its exit code; anything it throws is one
 * log line with the message, exit 1. Never a stack trace: it helps no operator reading a start-up failure. Either way
 * the process's spans are flushed before it ends (src/observability/tracing.ts).
 */
import type { Logger } from 'pino';
import { stopTracing } from './tracing';

export function runMain(main: () => Promise<number>, log: Logger, what: string): void {
  main()
    .finally(() => stopTracing().catch(() => undefined))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        log.error({ error: message }, `${what} failed: ${message.split('\n')[0]}`);
        process.exitCode = 1;
      },
    );
}

/** Resolves with the signal that asks the process to stop (SIGINT or SIGTERM), whichever comes first. */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
