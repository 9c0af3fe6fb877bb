/**
 * The codec server process: `npm run codec-server`. Needs the same PAYLOAD_ENCRYPTION_KEY_* as the worker.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConfigError, ConfigReader } from '../config/app-config';
import { parseFields } from '../base/zod-issues';
import { createLogger } from '../observability/logger';
import { runMain, stopSignal } from '../observability/run-main';
import { startTracing } from '../observability/tracing';
import { Secret } from '../base/secret';
import { payloadCodecFromEnv } from './env';
import { chainCodecs, GzipLargePayloadCodec } from './gzip-codec';
import { buildCodecServer } from './server';

export const CodecServerEnv = z.object({
  CODEC_SERVER_HOST: z.string().default('127.0.0.1'),
  CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(8789),
  CODEC_SERVER_AUTH_TOKEN: z.string().min(24, 'must be at least 24 characters'),
  CODEC_CORS_ORIGINS: z
    .string()
    .default('http://localhost:8233')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
});

async function main(log: Logger): Promise<number> {
  const reader = new ConfigReader();
  const env = reader.read(() => parseFields(CodecServerEnv, process.env, (problems) => new ConfigError(problems)));
  // null: no key configured (undefined: a key configured wrongly, already among the problems).
  const codec = reader.read(() => payloadCodecFromEnv() ?? null);
  if (codec === null)
    reader.problems.push('PAYLOAD_ENCRYPTION_KEY_ID: required by the codec server (it names the active key)');
  reader.read(() => startTracing({ serviceName: 'bird-provisioning-codec-server' }) ?? null);
  if (!env || !codec || reader.problems.length) {
    log.error({ problems: reader.problems }, `invalid configuration: ${reader.problems.join('; ')}`);
    return 2;
  }
  const app = buildCodecServer({
    codec: chainCodecs([new GzipLargePayloadCodec(), codec]),
    authToken: new Secret(env.CODEC_SERVER_AUTH_TOKEN),
    corsOrigins: env.CODEC_CORS_ORIGINS,
    logger: log,
  });
  const address = await app.listen({ host: env.CODEC_SERVER_HOST, port: env.CODEC_SERVER_PORT });
  log.info({ address, corsOrigins: env.CODEC_CORS_ORIGINS }, 'codec server listening');
  const signal = await stopSignal();
  log.info({ signal }, 'stopping');
  await app.close();
  return 0;
}

if (require.main === module) {
  const log = createLogger('codec-server');
  runMain(() => main(log), log, 'codec server');
}
