/**
 * The worker process: `npm run worker`. Reads configuration from the environment (see README), connects to
 * Temporal and serves the provisioning task queue until SIGINT/SIGTERM.
 */
import { NativeConnection } from '@temporalio/worker';
import { BirdClient } from './bird/client';
import { ConfigError, loadConfig } from './config';
import { envSecretStore } from './secrets';
import { createProvisioningWorker } from './worker-factory';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { requireAccessKey: true });
  const bird = new BirdClient({ baseUrl: config.bird.baseUrl, accessKey: config.bird.accessKey!, timeoutMs: config.bird.requestTimeoutMs });
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  try {
    const worker = await createProvisioningWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      bird,
      secrets: envSecretStore(),
    });
    console.log(`worker: task queue "${config.temporal.taskQueue}" on ${String(config.temporal.connectionOptions.address)} (namespace ${config.temporal.namespace}), Bird API ${config.bird.baseUrl}`);
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
