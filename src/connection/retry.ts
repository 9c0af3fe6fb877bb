/**
 * Connecting to Temporal while it may not be there yet (a fresh `compose up`, a restart, a network blip): retry with
 * capped exponential backoff and say so in one log line per attempt, naming the address and namespace, instead of
 * dying with a transport stack trace. The worker waits on it before it can serve; the receiver runs it in the
 * background while it answers deliveries 503.
 */
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

export interface Backoff<T> {
  /** One attempt; it throws when Temporal cannot be reached. */
  connect: () => Promise<T>;
  where: { address: string; namespace: string };
  log: Logger;
  /** Aborting it stops the waiting (SIGTERM before Temporal was reached). */
  signal: AbortSignal;
  retry: RetryPolicy;
  /** The reason an attempt failed, in words, or undefined when it is not worth another attempt (then it is thrown). */
  reasonToRetry: (err: Error) => string | undefined;
  /** What the process does meanwhile, appended to each attempt's log line. */
  meanwhile?: string;
}

/** Resolves with what `connect` made, or undefined when `signal` aborts first. */
export async function connectWithBackoff<T>(b: Backoff<T>): Promise<T | undefined> {
  const { where, log } = b;
  const meanwhile = b.meanwhile ? `; ${b.meanwhile}` : '';
  for (let attempt = 1; !b.signal.aborted; attempt++) {
    try {
      const connection = await b.connect();
      log.info(
        { ...where, attempt },
        `connected to Temporal at ${where.address}${attempt > 1 ? ` after ${attempt} attempts` : ''}`,
      );
      return connection;
    } catch (err) {
      const reason = b.reasonToRetry(err as Error);
      if (reason === undefined) throw err;
      const retryInMs = Math.min(b.retry.maxMs, b.retry.initialMs * 2 ** (attempt - 1));
      log.warn(
        { ...where, attempt, retryInMs, reason },
        `cannot reach Temporal at ${where.address} (namespace ${where.namespace}): ${reason}${meanwhile}; retrying in ${retryInMs / 1000} s`,
      );
      await sleep(retryInMs, undefined, { signal: b.signal }).catch(() => undefined);
    }
  }
  return undefined;
}

/**
 * Why a worker's NativeConnection.connect failed, or undefined when waiting cannot help: only "cannot reach it" is
 * worth waiting for, a bad TLS file or API key fails the same way every time. Core's message is a Rust debug dump;
 * the OS's words in it ("Connection refused") are what a reader needs.
 */
export function transportReason(err: Error): string | undefined {
  if (err.name !== 'TransportError') return undefined;
  const os = /message: "([^"]+)"/.exec(err.message)?.[1];
  if (os) return os.toLowerCase();
  if (/dns error|failed to lookup/i.test(err.message)) return 'host not found';
  return err.message.slice(0, 200);
}
