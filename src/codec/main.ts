/**
 * The codec server process: `npm run codec-server`. Needs the same PAYLOAD_ENCRYPTION_KEY_* as the worker.
 */
import { z } from 'zod';
import { ConfigError } from '../config/app-config';
import { parseFields } from '../domain/zod-issues';
import { createLogger } from '../observability/logger';
import { Secret } from '../config/secret';
import { payloadCodecFromEnv } from './env';
import { buildCodecServer } from './server';

export const CodecServerEnv = z.object({
  CODEC_SERVER_HOST: z.string().default('127.0.0.1'),
  CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(8789),
  CODEC_SERVER_AUTH_TOKEN: z.string().min(24, 'must be at least 24 characters'),
  CODEC_CORS_ORIGINS: z
    .string()
    .default('http://localhost:8233')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
});

async function main(): Promise<void> {
  const env = parseFields(CodecServerEnv, process.env, (problems) => new ConfigError(problems));
  const codec = payloadCodecFromEnv();
  if (!codec) throw new ConfigError(['PAYLOAD_ENCRYPTION_KEY_ID: required by the codec server (it names the active key)']);
  const logger = createLogger('codec-server');
  const app = buildCodecServer({ codec, authToken: new Secret(env.CODEC_SERVER_AUTH_TOKEN), corsOrigins: env.CODEC_CORS_ORIGINS, logger });
  const address = await app.listen({ host: env.CODEC_SERVER_HOST, port: env.CODEC_SERVER_PORT });
  logger.info({ address, corsOrigins: env.CODEC_CORS_ORIGINS }, 'codec server listening');
  const stop = () => void app.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
