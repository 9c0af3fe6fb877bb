/**
 * The HTTP API process: `npm run api`. Configuration (docs/operating.md, docs/http-api.md): API_KEYS and
 * API_KEY_<NAME>, API_HOST/API_PORT, API_RATE_LIMIT_PER_MINUTE, API_MAX_BODY_BYTES, API_MAX_BULK_BODY_BYTES, the
 * TEMPORAL_* settings every process reads, and the bulk store settings (BULK_STORE_URL or BULK_STORE_DIR, shared with the workers). It starts even while
 * Temporal is not reachable (the connection is lazy) and answers 503 + Retry-After until it is.
 */
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { z } from 'zod';
import { bulkStoreFromEnv } from '../bulk/store-env';
import { dataConverterFromEnv } from '../codec/env';
import { ConfigError, ConfigReader, loadConfig } from '../config/app-config';
import { parseFields } from '../base/zod-issues';
import { createLogger } from '../observability/logger';
import { runMain, stopSignal } from '../observability/run-main';
import { clientTracing, startTracing } from '../observability/tracing';
import { apiKeysFromEnv } from './api-keys';
import { buildApiServer, DEFAULT_BODY_LIMIT, DEFAULT_BULK_BODY_LIMIT } from './server';

export const ApiServerEnv = z.object({
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8790),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  API_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_BODY_LIMIT),
  API_MAX_BULK_BODY_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_BULK_BODY_LIMIT),
});

async function main(log: Logger): Promise<number> {
  // Every configuration problem at once, so a deployment is fixed in one round.
  const reader = new ConfigReader();
  const env = reader.read(() => parseFields(ApiServerEnv, process.env, (problems) => new ConfigError(problems)));
  const keys = reader.read(() => {
    const { keys, problems } = apiKeysFromEnv(process.env);
    if (problems.length) throw new ConfigError(problems);
    return keys;
  });
  const config = reader.read(() => loadConfig(process.env));
  const dataConverter = reader.read(() => dataConverterFromEnv());
  reader.read(() => startTracing({ serviceName: 'bird-provisioning-api' }) ?? null);
  if (!env || !keys || !config || !dataConverter || reader.problems.length) {
    log.error({ problems: reader.problems }, `invalid configuration: ${reader.problems.join('; ')}`);
    return 2;
  }
  const connection = Connection.lazy(config.temporal.connectionOptions);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter, ...clientTracing() });
  const app = await buildApiServer({
    client,
    taskQueue: config.temporal.taskQueue,
    keys,
    bulkStore: bulkStoreFromEnv(),
    logger: log,
    rateLimit: { max: env.API_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 },
    bodyLimitBytes: env.API_MAX_BODY_BYTES,
    bulkBodyLimitBytes: env.API_MAX_BULK_BODY_BYTES,
  });
  const address = await app.listen({ host: env.API_HOST, port: env.API_PORT });
  // Key names and their workspaces only: never a key.
  log.info(
    {
      address,
      keys: keys.map((k) => ({ name: k.name, workspaces: k.workspaces.size })),
      namespace: config.temporal.namespace,
    },
    'HTTP API listening',
  );
  const signal = await stopSignal();
  log.info({ signal }, 'stopping: finishing in-flight requests');
  await app.close();
  await connection.close();
  return 0;
}

if (require.main === module) {
  const log = createLogger('http-api');
  runMain(() => main(log), log, 'HTTP API');
}
