/**
 * The receiver process: `npm run receiver`. Listens for Bird channel events and signals provisioning workflows.
 * SIGTERM/SIGINT: stop accepting connections, let in-flight deliveries finish (each one ends with a reply Bird
 * understands: 2xx, or 503 so it retries), then close the Temporal connection and exit 0.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { WebhookUrl } from '../bird/schemas';
import { dataConverterFromEnv } from '../codec/env';
import { ConfigError, describeIssues, loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { Secret } from '../secret';
import { instrumentReceiver } from './metrics';
import { buildWebhookReceiver } from './server';
import { temporalStatusRouter } from './status-router';

export const ReceiverEnv = z.object({
  WEBHOOK_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters'),
  WEBHOOK_PUBLIC_URL: WebhookUrl,
  RECEIVER_HOST: z.string().default('127.0.0.1'),
  RECEIVER_PORT: z.coerce.number().int().min(0).max(65535).default(8788),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

async function main(): Promise<void> {
  const parsed = ReceiverEnv.safeParse(process.env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues));
  const env = parsed.data;
  const config = loadConfig();
  const log = createLogger('webhook-receiver', { level: env.LOG_LEVEL });
  const connection = await Connection.connect(config.temporal.connectionOptions);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFromEnv() });
  const app = buildWebhookReceiver({
    signingKey: new Secret(env.WEBHOOK_SIGNING_KEY),
    publicUrl: env.WEBHOOK_PUBLIC_URL,
    route: temporalStatusRouter(client),
    logger: { level: env.LOG_LEVEL },
  });
  instrumentReceiver(app, new URL(env.WEBHOOK_PUBLIC_URL).pathname || '/');
  let stopping = false;
  // While draining, every reply closes its connection: a kept-alive socket would otherwise hold close() open for
  // fastify's 72 s keep-alive timeout after the last in-flight delivery is answered.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (stopping) reply.header('connection', 'close');
    return payload;
  });
  const address = await app.listen({ host: env.RECEIVER_HOST, port: env.RECEIVER_PORT });
  log.info({ address, path: new URL(env.WEBHOOK_PUBLIC_URL).pathname, publicUrl: env.WEBHOOK_PUBLIC_URL }, 'webhook receiver listening');
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining: no new connections; finishing in-flight deliveries');
    // fastify's close() stops listening, answers new requests on kept-alive sockets with 503 and waits for
    // in-flight handlers before resolving.
    void app
      .close()
      .then(() => connection.close())
      .then(() => {
        log.info('receiver stopped');
        process.exitCode = 0;
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
