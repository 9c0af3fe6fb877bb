/**
 * The HTTP API process: `npm run api`. Configuration (docs/operating.md, docs/http-api.md): API_KEYS and
 * API_KEY_<NAME>, API_HOST/API_PORT, API_RATE_LIMIT_PER_MINUTE, API_MAX_BODY_BYTES, API_MAX_BULK_BODY_BYTES, the
 * TEMPORAL_* settings every process reads, and the bulk store settings (BULK_STORE_URL or BULK_STORE_DIR, shared with the workers). It starts even while
 * Temporal is not reachable (the connection is lazy) and answers 503 + Retry-After until it is.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { bulkStoreFromEnv } from '../bulk/store-env';
import { dataConverterFromEnv } from '../codec/env';
import { ConfigError, loadConfig } from '../config/app-config';
import { parseFields } from '../domain/zod-issues';
import { createLogger } from '../observability/logger';
import { apiKeysFromEnv } from './api-keys';
import { buildApiServer, DEFAULT_BODY_LIMIT, DEFAULT_BULK_BODY_LIMIT } from './server';

export const ApiServerEnv = z.object({
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8790),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  API_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_BODY_LIMIT),
  API_MAX_BULK_BODY_BYTES: z.coerce.number().int().min(1024).default(DEFAULT_BULK_BODY_LIMIT),
});

async function main(): Promise<void> {
  const env = parseFields(ApiServerEnv, process.env, (problems) => new ConfigError(problems));
  const { keys, problems } = apiKeysFromEnv(process.env);
  if (problems.length) throw new ConfigError(problems);
  const config = loadConfig(process.env);
  const logger = createLogger('http-api');
  const connection = Connection.lazy(config.temporal.connectionOptions);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFromEnv() });
  const app = await buildApiServer({
    client,
    taskQueue: config.temporal.taskQueue,
    keys,
    bulkStore: bulkStoreFromEnv(),
    logger,
    rateLimit: { max: env.API_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 },
    bodyLimitBytes: env.API_MAX_BODY_BYTES,
    bulkBodyLimitBytes: env.API_MAX_BULK_BODY_BYTES,
  });
  const address = await app.listen({ host: env.API_HOST, port: env.API_PORT });
  // Key names and their workspaces only: never a key.
  logger.info({ address, keys: keys.map((k) => ({ name: k.name, workspaces: k.workspaces.size })), namespace: config.temporal.namespace }, 'HTTP API listening');
  const stop = () => void app.close().then(() => connection.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
