/**
 * The receiver process: `npm run receiver`. Listens for Bird channel events and reports them to provisioning
 * workflows. It listens even while Temporal cannot be reached (deliveries get 503, so Bird retries) and connects in
 * the background. SIGTERM/SIGINT: stop accepting connections, let in-flight deliveries finish (each one ends with a
 * reply Bird understands: 2xx, or 503 so it retries), then close the Temporal connection and exit 0. Start-up
 * problems are one log line, never a stack: a bad configuration exits 2, a port in use 1.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { WebhookUrl } from '../bird/schemas';
import { dataConverterFromEnv } from '../codec/env';
import { ConfigReader, loadConfig } from '../config/app-config';
import { describeIssues } from '../base/zod-issues';
import { createLogger } from '../observability/logger';
import { runMain, stopSignal } from '../observability/run-main';
import { startTracing } from '../observability/tracing';
import { Secret } from '../base/secret';
import { instrumentReceiver } from './metrics';
import { buildWebhookReceiver } from './server';
import { connectInBackground } from './temporal-link';

export const ReceiverEnv = z.object({
  WEBHOOK_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters'),
  WEBHOOK_PUBLIC_URL: WebhookUrl,
  RECEIVER_HOST: z.string().default('127.0.0.1'),
  RECEIVER_PORT: z.coerce.number().int().min(0).max(65535).default(8788),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

async function main(log: Logger): Promise<number> {
  const parsed = ReceiverEnv.safeParse(process.env);
  const reader = new ConfigReader();
  const read = <T>(load: () => T) => reader.read(load);
  const problems = reader.problems;
  if (!parsed.success) problems.push(...describeIssues(parsed.error.issues));
  const config = read(() => loadConfig());
  const dataConverter = read(() => dataConverterFromEnv());
  read(() => startTracing({ serviceName: 'bird-provisioning-webhook-receiver' }) ?? null);
  if (!parsed.success || !config || !dataConverter || problems.length) {
    log.error({ problems }, `invalid configuration: ${problems.join('; ')}`);
    return 2;
  }
  const env = parsed.data;
  log = createLogger('webhook-receiver', { level: env.LOG_LEVEL });
  // Temporal may be down or not up yet: listen anyway, answer 503 (Bird retries) until it can be reached.
  const temporal = connectInBackground({
    connectionOptions: config.temporal.connectionOptions,
    namespace: config.temporal.namespace,
    dataConverter,
    log,
  });
  const app = buildWebhookReceiver({
    signingKey: new Secret(env.WEBHOOK_SIGNING_KEY),
    publicUrl: env.WEBHOOK_PUBLIC_URL,
    route: temporal.route,
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
  let address: string;
  try {
    address = await app.listen({ host: env.RECEIVER_HOST, port: env.RECEIVER_PORT });
  } catch (err) {
    await temporal.close();
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the port is already in use'
        : code === 'EADDRNOTAVAIL'
          ? 'no such address on this host'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    log.error(
      { host: env.RECEIVER_HOST, port: env.RECEIVER_PORT, code },
      `cannot listen on ${env.RECEIVER_HOST}:${env.RECEIVER_PORT}: ${why} (set RECEIVER_HOST/RECEIVER_PORT)`,
    );
    return 1;
  }
  temporal.start();
  log.info(
    {
      address,
      path: new URL(env.WEBHOOK_PUBLIC_URL).pathname,
      publicUrl: env.WEBHOOK_PUBLIC_URL,
      temporal: temporal.connected() ? 'connected' : 'connecting',
    },
    'webhook receiver listening',
  );
  const signal = await stopSignal();
  stopping = true;
  log.info({ signal }, 'draining: no new connections; finishing in-flight deliveries');
  // fastify's close() stops listening, answers new requests on kept-alive sockets with 503 and waits for in-flight
  // handlers before resolving.
  await app.close();
  await temporal.close();
  log.info('receiver stopped');
  return 0;
}

if (require.main === module) {
  // Until the configuration is read, a logger that cannot itself fail on a bad LOG_LEVEL.
  const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
  const log = createLogger('webhook-receiver', {
    level: LEVELS.includes(process.env.LOG_LEVEL ?? '') ? process.env.LOG_LEVEL : 'info',
  });
  runMain(() => main(log), log, 'receiver');
}
