/**
 * The receiver process: `npm run receiver`. Listens for Bird channel events and signals provisioning workflows.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { WebhookUrl } from '../bird/schemas';
import { ConfigError, describeIssues, loadConfig } from '../config';
import { Secret } from '../secret';
import { buildWebhookReceiver } from './server';
import { temporalStatusRouter } from './status-router';

const ReceiverEnv = z.object({
  WEBHOOK_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters'),
  WEBHOOK_PUBLIC_URL: WebhookUrl,
  RECEIVER_HOST: z.string().default('127.0.0.1'),
  RECEIVER_PORT: z.coerce.number().int().min(0).max(65535).default(8788),
});

async function main(): Promise<void> {
  const parsed = ReceiverEnv.safeParse(process.env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues));
  const env = parsed.data;
  const config = loadConfig();
  const connection = await Connection.connect(config.temporal.connectionOptions);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const app = buildWebhookReceiver({
    signingKey: new Secret(env.WEBHOOK_SIGNING_KEY),
    publicUrl: env.WEBHOOK_PUBLIC_URL,
    route: temporalStatusRouter(client),
    logger: { level: 'info' },
  });
  const address = await app.listen({ host: env.RECEIVER_HOST, port: env.RECEIVER_PORT });
  app.log.info(`webhook receiver on ${address}${new URL(env.WEBHOOK_PUBLIC_URL).pathname} for ${env.WEBHOOK_PUBLIC_URL}`);
  const stop = () => {
    void app.close().then(() => connection.close());
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
