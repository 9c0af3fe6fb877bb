/**
 * The worker's connection to Temporal at start-up: when the server is not there yet (a fresh `compose up`, a
 * restart, a network blip), retry with capped exponential backoff and say so in one log line per attempt, naming
 * the address and namespace, instead of dying with a transport stack trace.
 */
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 30_000 };

/** Resolves with a connection, or undefined when `signal` aborts first (SIGTERM before Temporal was reached). */
export async function connectWithRetry(
  options: NativeConnectionOptions,
  where: { address: string; namespace: string },
  log: Logger,
  signal: AbortSignal,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<NativeConnection | undefined> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const connection = await NativeConnection.connect(options);
      if (attempt > 1) log.info({ ...where, attempt }, `connected to Temporal at ${where.address} after ${attempt} attempts`);
      return connection;
    } catch (err) {
      // Only "cannot reach it" is worth waiting for; a bad TLS file or API key fails the same way every time.
      if ((err as Error).name !== 'TransportError') throw err;
      const retryInMs = Math.min(retry.maxMs, retry.initialMs * 2 ** (attempt - 1));
      log.warn(
        { ...where, attempt, retryInMs, reason: transportReason(err as Error) },
        `cannot reach Temporal at ${where.address} (namespace ${where.namespace}): ${transportReason(err as Error)}; retrying in ${retryInMs / 1000} s`,
      );
      await sleep(retryInMs, undefined, { signal }).catch(() => undefined);
    }
  }
  return undefined;
}

/** Core's message is a Rust debug dump; the OS's words in it ("Connection refused") are what a reader needs. */
export function transportReason(err: Error): string {
  const os = /message: "([^"]+)"/.exec(err.message)?.[1];
  if (os) return os.toLowerCase();
  if (/dns error|failed to lookup/i.test(err.message)) return 'host not found';
  return err.message.slice(0, 200);
}
