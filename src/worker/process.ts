/**
 * The worker process, started by src/worker.ts (`npm run worker`; in the image `node dist/src/worker.js`). Reads configuration from the
 * environment (docs/operating.md), installs the Temporal runtime with JSON logs (pino) and Prometheus metrics, connects
 * (retrying with backoff while Temporal cannot be reached) and serves the provisioning task queue. SIGTERM/SIGINT
 * drain it: polling stops, in-flight activities get WORKER_SHUTDOWN_GRACE_TIME to finish, then the process exits 0.
 * Start-up problems are one log line each, never a stack trace: a bad configuration exits 2, anything else 1.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { activityCancellableFetch } from '../activities/cancellable-fetch';
import { BirdClient } from '../bird/client';
import { BirdPacer } from '../bird/rate-limits/pacer';
import { bulkStoreFromEnv } from '../bulk/store-env';
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec';
import { dataConverterFromEnv } from '../codec/env';
import { ConfigReader, loadConfig, type AppConfig } from '../config/app-config';
import { birdCallMetrics } from '../observability/bird-metrics';
import { startHealthServer } from '../observability/health';
import { createLogger, temporalLogger } from '../observability/logger';
import { startTracing } from '../observability/tracing';
import { activityAttempt } from '../activities/attempt';
import { envSecretStore } from '../config/secrets';
import { findWorkflowBundle } from './bundle';
import { connectWithBackoff, transportReason } from '../connection/retry';
import { createProvisioningWorker, type ProvisioningWorker, type ProvisioningWorkerOptions } from './factory';
import { loadWorkerEnv, workerTuning, type WorkerEnv } from './env';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
// Until the configuration is read, a logger that cannot itself fail on a bad LOG_LEVEL.
let log: Logger = createLogger('worker', {
  level: LEVELS.includes(process.env.LOG_LEVEL ?? '') ? process.env.LOG_LEVEL : 'info',
});

interface WorkerStartup {
  config: AppConfig;
  ops: WorkerEnv;
  dataConverter: ReturnType<typeof dataConverterFromEnv>;
  /** null: no prebuilt bundle, the workflows are bundled at start-up. */
  workflowBundle: { codePath: string } | null;
}

/** Every configuration problem at once, so a deployment is fixed in one round; undefined (logged) if any. */
function readStartup(): WorkerStartup | undefined {
  const reader = new ConfigReader();
  const read = <T>(load: () => T) => reader.read(load);
  const problems = reader.problems;
  const config = read(() => loadConfig(process.env, { requireAccessKey: true }));
  const ops = read(() => loadWorkerEnv());
  const dataConverter = read(() => dataConverterFromEnv());
  const workflowBundle = read(() => findWorkflowBundle() ?? null);
  read(() => startTracing({ serviceName: 'bird-provisioning-worker' }) ?? null);
  if (!config || !ops || !dataConverter || workflowBundle === undefined || problems.length) {
    log.error({ problems }, `invalid configuration: ${problems.join('; ')}`);
    return undefined;
  }
  return { config, ops, dataConverter, workflowBundle };
}

function installRuntime(ops: WorkerEnv): void {
  Runtime.install({
    logger: temporalLogger(log),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `${ops.WORKER_HTTP_HOST}:${ops.WORKER_METRICS_PORT}` } },
    },
  });
}

/** The Bird client, with the pacer when pacing is on; the worker factory needs the same limits and pacer. */
function birdFor({ config, ops }: WorkerStartup) {
  const birdRateLimits = {
    getPerSecond: ops.BIRD_RATE_LIMIT_GET_PER_SECOND,
    postPerSecond: ops.BIRD_RATE_LIMIT_POST_PER_SECOND,
  };
  const pacer =
    ops.BIRD_RATE_LIMIT_PACING === 'on'
      ? new BirdPacer(birdRateLimits, { headroom: ops.BIRD_RATE_LIMIT_HEADROOM })
      : undefined;
  const bird = new BirdClient({
    baseUrl: config.bird.baseUrl,
    accessKey: config.bird.accessKey!,
    timeoutMs: config.bird.requestTimeoutMs,
    observe: birdCallMetrics(Runtime.instance().metricMeter),
    fetch: activityCancellableFetch(),
    attempt: activityAttempt,
    ...(pacer ? { pacer } : {}),
  });
  return { bird, birdRateLimits, pacer };
}

/** The process's exit code: 0 once drained, 2 for a bad configuration (each problem logged). */
export async function workerMain(): Promise<number> {
  const startup = readStartup();
  if (!startup) return 2;
  const { config, ops } = startup;
  log = createLogger('worker', { level: ops.LOG_LEVEL });
  installRuntime(ops);
  const birdSetup = birdFor(startup);
  const where = { address: String(config.temporal.connectionOptions.address), namespace: config.temporal.namespace };
  let worker: ProvisioningWorker | undefined;
  let phase = 'CONNECTING';
  // Up before the connection so an orchestrator sees "not ready" (503) rather than nothing while Temporal is away.
  const health = await startHealthServer(
    ops.WORKER_HTTP_HOST,
    ops.WORKER_HEALTH_PORT,
    () => worker?.getState() ?? phase,
  );

  // Until a worker exists the SDK's own signal handling has nothing to drain: stop waiting for Temporal instead.
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGTERM', stop).once('SIGINT', stop);
  const connection = await connectWithBackoff({
    connect: () => NativeConnection.connect(config.temporal.connectionOptions),
    where,
    log,
    signal: stopping.signal,
    retry: { initialMs: 1_000, maxMs: 30_000 },
    reasonToRetry: transportReason,
  });
  process.off('SIGTERM', stop).off('SIGINT', stop);
  if (!connection) {
    log.info(where, 'stopped before Temporal could be reached');
    health.server.close();
    return 0;
  }
  try {
    phase = 'STARTING';
    worker = await startWorker(startup, birdSetup, connection);
    logStarted(startup, worker, { ...where, healthPort: health.port, pacing: birdSetup.pacer !== undefined });
    // The SDK's Runtime turns SIGINT/SIGTERM into worker.shutdown(); run() resolves once every task has drained.
    await worker.run();
    log.info('worker drained and stopped');
    return 0;
  } finally {
    health.server.close();
    await connection.close();
  }
}

function startWorker(
  { config, ops, dataConverter, workflowBundle }: WorkerStartup,
  { bird, birdRateLimits, pacer }: ReturnType<typeof birdFor>,
  connection: ProvisioningWorkerOptions['connection'],
): Promise<ProvisioningWorker> {
  return createProvisioningWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    roles: ops.WORKER_TASK_QUEUES,
    birdRateLimits,
    ...(pacer ? { pacer } : {}),
    tuning: workerTuning(ops),
    rateLimitScope:
      ops.BIRD_RATE_LIMIT_SCOPE === 'workspace'
        ? { scope: 'workspace', workspacesAtFullRate: ops.BIRD_RATE_LIMIT_WORKSPACES }
        : { scope: 'deployment' },
    bird,
    secrets: envSecretStore(),
    bulkStore: bulkStoreFromEnv(),
    workflowBundle: workflowBundle ?? undefined,
    dataConverter,
    shutdownGraceTime: ops.WORKER_SHUTDOWN_GRACE_TIME,
    deployment:
      ops.TEMPORAL_WORKER_DEPLOYMENT_NAME && ops.TEMPORAL_WORKER_BUILD_ID
        ? { deploymentName: ops.TEMPORAL_WORKER_DEPLOYMENT_NAME, buildId: ops.TEMPORAL_WORKER_BUILD_ID }
        : undefined,
  });
}

/** One line with everything an operator checks first: where it is connected, what it serves, at which rates. */
function logStarted(
  { config, ops, dataConverter, workflowBundle }: WorkerStartup,
  worker: ProvisioningWorker,
  {
    address,
    namespace,
    healthPort,
    pacing,
  }: { address: string; namespace: string; healthPort: number; pacing: boolean },
): void {
  log.info(
    {
      taskQueue: config.temporal.taskQueue,
      address,
      namespace,
      taskQueues: worker.workers.map((w) => w.options.taskQueue),
      birdRateLimits: `${ops.BIRD_RATE_LIMIT_GET_PER_SECOND} GET/s, ${ops.BIRD_RATE_LIMIT_POST_PER_SECOND} POST/s per ${ops.BIRD_RATE_LIMIT_SCOPE}`,
      birdPacing: pacing
        ? `even, ${ops.BIRD_RATE_LIMIT_HEADROOM} of the limits shared among the queues' workers`
        : 'off',
      maxCachedWorkflows: ops.WORKER_MAX_CACHED_WORKFLOWS,
      birdApi: config.bird.baseUrl,
      workflowBundle: workflowBundle?.codePath ?? 'bundled at start-up from src/workflows',
      payloadEncryption: dataConverter.payloadCodecs?.some((c) => c instanceof AesGcmPayloadCodec) ? 'on' : 'off',
      deployment: ops.TEMPORAL_WORKER_DEPLOYMENT_NAME
        ? `${ops.TEMPORAL_WORKER_DEPLOYMENT_NAME}@${ops.TEMPORAL_WORKER_BUILD_ID}`
        : 'unversioned',
      healthPort,
      metricsPort: ops.WORKER_METRICS_PORT,
      shutdownGraceTime: ops.WORKER_SHUTDOWN_GRACE_TIME,
    },
    'worker started',
  );
}

/** The logger of the start-up, before the configuration has set the level. */
export function startupLog(): Logger {
  return log;
}
