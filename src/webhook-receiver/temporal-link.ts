/**
 * The receiver's connection to Temporal, made in the background: the receiver listens from the start and, until
 * Temporal can be reached, answers every genuine delivery 503 so Bird retries it (its retries last hours); once
 * connected, deliveries are routed as usual. Each failed attempt is one log line naming the address and namespace.
 */
import { Client, Connection, type ConnectionOptions, type DataConverter } from '@temporalio/client';
import type { Logger } from 'pino';
import { tcpUnreachableReason } from '../connection/reachability';
import { connectWithBackoff, type RetryPolicy } from '../connection/retry';
import { clientTracing } from '../observability/tracing';
import { temporalStatusRouter, type StatusRouter, type StatusRouterOptions } from './status-router';

export interface TemporalLinkOptions {
  connectionOptions: ConnectionOptions;
  namespace: string;
  dataConverter?: DataConverter;
  log: Logger;
  router?: StatusRouterOptions;
  /** Backoff between attempts (doubling from initialMs up to maxMs): Bird's next retry should find us connected. */
  retry?: RetryPolicy;
}

export interface TemporalLink {
  /** Routes through Temporal once connected; until then throws, which the receiver answers with 503. */
  route: StatusRouter;
  connected(): boolean;
  /** Begins connecting (after the receiver has its port, so a port in use is reported first and alone). */
  start(): void;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 3_000;

export function connectInBackground(opts: TemporalLinkOptions): TemporalLink {
  const address = String(opts.connectionOptions.address);
  const where = { address, namespace: opts.namespace };
  const retry = opts.retry ?? { initialMs: 500, maxMs: 10_000 };
  const stop = new AbortController();
  let connection: Connection | undefined;
  let router: StatusRouter | undefined;

  const connectLoop = async () => {
    connection = await connectWithBackoff({
      connect: async () => {
        // A refused port is known at once; grpc alone would wait out its whole connect timeout to say less.
        const unreachable = await tcpUnreachableReason(address, CONNECT_TIMEOUT_MS);
        if (unreachable) throw new Error(unreachable);
        return Connection.connect({ ...opts.connectionOptions, connectTimeout: CONNECT_TIMEOUT_MS });
      },
      where,
      log: opts.log,
      signal: stop.signal,
      retry,
      // The receiver has nothing better to do than wait: every failure is worth another attempt.
      reasonToRetry: (err) => err.message,
      meanwhile: 'deliveries are answered 503 (Bird retries)',
    });
    if (connection)
      router = temporalStatusRouter(
        new Client({ connection, namespace: opts.namespace, dataConverter: opts.dataConverter, ...clientTracing() }),
        opts.router,
      );
  };
  let connecting: Promise<void> = Promise.resolve();

  return {
    route: (event, delivery) => {
      if (!router) throw new Error(`Temporal at ${address} is not reachable yet`);
      return router(event, delivery);
    },
    connected: () => router !== undefined,
    start: () => {
      connecting = connectLoop();
    },
    close: async () => {
      stop.abort();
      await connecting;
      await connection?.close();
    },
  };
}
