/**
 * Where the CLI connects and how it fails when it cannot: the global flags --address/--namespace/--task-queue over
 * the environment read by src/config/app-config.ts (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, and the
 * @temporalio/envconfig profile), and a connection that fails in milliseconds when nothing listens, naming the
 * address, the namespace and how to change them, instead of grpc's "Failed to connect before the deadline" 11 s
 * later.
 */
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import { dataConverterFromEnv } from '../codec/env';
import { loadConfig } from '../config/app-config';
import { tcpUnreachableReason } from '../connection/reachability';
import { clientTracing } from '../observability/tracing';
import { CliError } from './errors';
import { ExitCode } from './exit-codes';

export interface GlobalFlags {
  address?: string;
  namespace?: string;
  taskQueue?: string;
}

export interface ConnectionSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Where the address came from, for the message when it cannot be reached. */
  addressFrom: string;
  connectionOptions: ReturnType<typeof loadConfig>['temporal']['connectionOptions'];
}

/** gRPC status codes (fixed by the gRPC specification). */
const grpcStatus: Record<'NOT_FOUND' | 'PERMISSION_DENIED' | 'UNAVAILABLE', number> = {
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  UNAVAILABLE: 14,
};

/** A plain TCP connect first: a refused port or an unknown host fails at once (grpc would retry until its deadline). */
const PROBE_TIMEOUT_MS = 3_000;
/** Then grpc's own connect, which also covers TLS and API-key handshakes (Temporal Cloud). */
const CONNECT_TIMEOUT_MS = 5_000;

export function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const config = loadConfig({
    ...env,
    ...(flags.address ? { TEMPORAL_ADDRESS: flags.address } : {}),
    ...(flags.namespace ? { TEMPORAL_NAMESPACE: flags.namespace } : {}),
    ...(flags.taskQueue ? { TEMPORAL_TASK_QUEUE: flags.taskQueue } : {}),
  });
  const address = String(config.temporal.connectionOptions.address);
  const addressFrom = flags.address
    ? '--address'
    : env.TEMPORAL_ADDRESS
      ? 'TEMPORAL_ADDRESS'
      : address === '127.0.0.1:7233'
        ? 'the default'
        : 'the Temporal config profile';
  return {
    address,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    addressFrom,
    connectionOptions: config.temporal.connectionOptions,
  };
}

export const HOW_TO_CHANGE =
  'change them with --address host:port and --namespace (or TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, or a profile: TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE)';

export function unreachable(settings: ConnectionSettings, why: string): CliError {
  return new CliError(
    `cannot reach Temporal at ${settings.address} (${settings.addressFrom}), namespace "${settings.namespace}": ${why}\n  ${HOW_TO_CHANGE}`,
    ExitCode.unavailable,
  );
}

export interface Session {
  client: Client;
  settings: ConnectionSettings;
}

/** Connects, checks the namespace exists, runs fn, and always closes the connection. */
export async function withSession<T>(settings: ConnectionSettings, fn: (session: Session) => Promise<T>): Promise<T> {
  // The same payload codec as the worker (PAYLOAD_ENCRYPTION_KEY_ID), so inputs leave encrypted and results decode.
  const dataConverter = dataConverterFromEnv();
  await probe(settings);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...settings.connectionOptions, connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (err) {
    throw unreachable(settings, `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (${(err as Error).message})`);
  }
  try {
    await checkNamespace(connection, settings);
    return await fn({
      client: new Client({ connection, namespace: settings.namespace, dataConverter, ...clientTracing() }),
      settings,
    });
  } catch (err) {
    // The server went away in the middle of a command: the same answer as at the start.
    if (isGrpcServiceError(err) && Number(err.code) === grpcStatus.UNAVAILABLE)
      throw unreachable(settings, `lost the connection (${err.details || err.message})`);
    throw err;
  } finally {
    await connection.close();
  }
}

async function checkNamespace(connection: Connection, settings: ConnectionSettings): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace: settings.namespace });
  } catch (err) {
    if (isGrpcServiceError(err) && Number(err.code) === grpcStatus.NOT_FOUND) {
      throw new CliError(
        `Temporal at ${settings.address} (${settings.addressFrom}) has no namespace "${settings.namespace}"\n  ${HOW_TO_CHANGE}`,
        ExitCode.unavailable,
      );
    }
    // A credential scoped to one namespace may not be allowed to describe it; the command itself will tell.
    if (isGrpcServiceError(err) && Number(err.code) === grpcStatus.PERMISSION_DENIED) return;
    throw err;
  }
}

async function probe(settings: ConnectionSettings): Promise<void> {
  const reason = await tcpUnreachableReason(settings.address, PROBE_TIMEOUT_MS);
  if (reason) throw unreachable(settings, reason);
}
