/**
 * Codec server: lets the Temporal UI and CLI show decrypted payloads to authorised people, without giving them the
 * key. Implements Temporal's remote codec protocol: POST /decode and /encode with `{ payloads: [...] }` (proto3
 * JSON: base64 metadata values and data). CORS admits only the UI's origin; every call must carry
 * `Authorization: Bearer <CODEC_SERVER_AUTH_TOKEN>` (the UI sends it when "include credentials"/an access token is
 * configured; the CLI with `--codec-auth`).
 */
import cors from '@fastify/cors';
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Fastify, { type FastifyInstance } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../base/secret';

export interface CodecServerOptions {
  codec: PayloadCodec;
  authToken: Secret;
  /** The Temporal UI's origin, e.g. http://localhost:8233. */
  corsOrigins: string[];
  logger?: FastifyInstance['log'] | boolean;
}

type JsonPayloads = { payloads?: unknown[] };

const digest = (s: string) => createHash('sha256').update(s).digest();

export function buildCodecServer(opts: CodecServerOptions): FastifyInstance {
  const app = Fastify(
    typeof opts.logger === 'object'
      ? { loggerInstance: opts.logger, bodyLimit: 4 * 1024 * 1024 }
      : { logger: opts.logger ?? false, bodyLimit: 4 * 1024 * 1024 },
  );
  const expected = digest(`Bearer ${opts.authToken.reveal()}`);

  void app.register(cors, {
    origin: opts.corsOrigins,
    methods: ['POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
    credentials: true,
    maxAge: 600,
  });

  app.get('/healthz', async () => ({ ok: true }));

  // Hashing both sides first makes the comparison constant-time whatever the lengths.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'OPTIONS' || req.url === '/healthz') return;
    const given = req.headers.authorization;
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      return reply.code(401).send({ error: 'unauthorised: send Authorization: Bearer <codec server token>' });
    }
  });

  const route = (op: 'encode' | 'decode') =>
    app.post(`/${op}`, async (req, reply) => {
      const body = req.body as JsonPayloads | undefined;
      if (!body || !Array.isArray(body.payloads))
        return reply.code(400).send({ error: 'body must be {"payloads": [...]}' });
      let payloads: temporal.api.common.v1.IPayload[];
      try {
        payloads = body.payloads.map((p) => temporal.api.common.v1.Payload.fromObject(p as Record<string, unknown>));
      } catch (err) {
        return reply.code(400).send({ error: `malformed payload: ${(err as Error).message}` });
      }
      try {
        const out = await opts.codec[op](payloads);
        return {
          payloads: out.map((p) =>
            temporal.api.common.v1.Payload.toObject(temporal.api.common.v1.Payload.create(p), { bytes: String }),
          ),
        };
      } catch (err) {
        return reply.code(422).send({ error: (err as Error).message });
      }
    });
  route('encode');
  route('decode');
  return app;
}
