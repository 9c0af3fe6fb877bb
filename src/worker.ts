/**
 * The worker process: `npm run worker` (in the image: `node dist/src/worker.js`). Reads configuration from the
 * environment (see README), installs the Temporal runtime with JSON logs (pino) and Prometheus metrics, connects
 * and serves the provisioning task queue. SIGTERM/SIGINT drain it: polling stops, in-flight activities get
 * WORKER_SHUTDOWN_GRACE_TIME to finish, then the process exits 0.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { activityCancellableFetch } from './activities/cancellable-fetch';
import { BirdClient } from './bird/client';
import { bulkStoreFromEnv } from './bulk/store';
import { dataConverterFromEnv } from './codec/env';
import { ConfigError, loadConfig } from './config';
import { birdCallMetrics } from './observability/bird-metrics';
import { startHealthServer } from './observability/health';
import { createLogger, temporalLogger } from './observability/logger';
import { envSecretStore } from './secrets';
import { findWorkflowBundle } from './workflow-bundle';
import { createProvisioningWorker } from './worker-factory';
import { loadWorkerEnv } from './worker-env';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { requireAccessKey: true });
  const ops = loadWorkerEnv();
  const dataConverter = dataConverterFromEnv();
  const workflowBundle = findWorkflowBundle();
  const log = createLogger('worker', { level: ops.LOG_LEVEL });
  Runtime.install({
    logger: temporalLogger(log),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `${ops.WORKER_HTTP_HOST}:${ops.WORKER_METRICS_PORT}` } },
    },
  });
  const bird = new BirdClient({
    baseUrl: config.bird.baseUrl,
    accessKey: config.bird.accessKey!,
    timeoutMs: config.bird.requestTimeoutMs,
    observe: birdCallMetrics(Runtime.instance().metricMeter),
    fetch: activityCancellableFetch(),
  });
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  try {
    const worker = await createProvisioningWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      roles: ops.WORKER_TASK_QUEUES,
      birdRateLimits: { getPerSecond: ops.BIRD_RATE_LIMIT_GET_PER_SECOND, postPerSecond: ops.BIRD_RATE_LIMIT_POST_PER_SECOND },
      rateLimitScope:
        ops.BIRD_RATE_LIMIT_SCOPE === 'workspace' ? { scope: 'workspace', workspacesAtFullRate: ops.BIRD_RATE_LIMIT_WORKSPACES } : { scope: 'deployment' },
      bird,
      secrets: envSecretStore(),
      bulkStore: bulkStoreFromEnv(),
      workflowBundle,
      dataConverter,
      shutdownGraceTime: ops.WORKER_SHUTDOWN_GRACE_TIME,
      deployment:
        ops.TEMPORAL_WORKER_DEPLOYMENT_NAME && ops.TEMPORAL_WORKER_BUILD_ID
          ? { deploymentName: ops.TEMPORAL_WORKER_DEPLOYMENT_NAME, buildId: ops.TEMPORAL_WORKER_BUILD_ID }
          : undefined,
    });
    const health = await startHealthServer(ops.WORKER_HTTP_HOST, ops.WORKER_HEALTH_PORT, () => worker.getState());
    log.info(
      {
        taskQueue: config.temporal.taskQueue,
        taskQueues: worker.workers.map((w) => w.options.taskQueue),
        birdRateLimits: `${ops.BIRD_RATE_LIMIT_GET_PER_SECOND} GET/s, ${ops.BIRD_RATE_LIMIT_POST_PER_SECOND} POST/s per ${ops.BIRD_RATE_LIMIT_SCOPE}`,
        address: String(config.temporal.connectionOptions.address),
        namespace: config.temporal.namespace,
        birdApi: config.bird.baseUrl,
        workflowBundle: workflowBundle?.codePath ?? 'bundled at start-up from src/workflows',
        payloadEncryption: dataConverter.payloadCodecs ? 'on' : 'off',
        deployment: ops.TEMPORAL_WORKER_DEPLOYMENT_NAME ? `${ops.TEMPORAL_WORKER_DEPLOYMENT_NAME}@${ops.TEMPORAL_WORKER_BUILD_ID}` : 'unversioned',
        healthPort: health.port,
        metricsPort: ops.WORKER_METRICS_PORT,
        shutdownGraceTime: ops.WORKER_SHUTDOWN_GRACE_TIME,
      },
      'worker started',
    );
    // The SDK's Runtime turns SIGINT/SIGTERM into worker.shutdown(); run() resolves once every task has drained.
    await worker.run();
    log.info('worker drained and stopped');
    health.server.close();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
