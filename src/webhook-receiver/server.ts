/**
 * The HTTP endpoint Bird delivers channel events to. It proves each delivery came from Bird (signature over the
 * exact public URL Bird called), refuses replays (by what the signature covers), and hands genuine events to the
 * status router.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ChannelEvent, WebhookHeaders } from '../bird/events';
import { verifyWebhookSignature } from '../bird/signature';
import type { Secret } from '../base/secret';
import { deliveryKey } from './delivery-key';
import { ReplayGuard, type ReplayGuardOptions } from './replay-guard';
import type { StatusRouter } from './status-router';

export interface WebhookReceiverOptions {
  signingKey: Secret;
  /** The URL registered with Bird; signatures cover it, so it must be exactly what Bird called. */
  publicUrl: string;
  route: StatusRouter;
  maxBodyBytes?: number;
  replay?: ReplayGuardOptions;
  /** Fastify (pino) logger options; off by default (tests). */
  logger?: boolean | { level: string };
}

export function buildWebhookReceiver(opts: WebhookReceiverOptions): FastifyInstance {
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: maxBodyBytes });
  const guard = new ReplayGuard(opts.replay);
  const path = new URL(opts.publicUrl).pathname || '/';

  // The signature covers the raw bytes: keep them unparsed, whatever content type Bird declares.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/healthz', async () => ({ ok: true }));

  app.post(path, (req, reply) => receiveDelivery(opts, guard, req, reply));

  return app;
}

/** One delivery: prove it is Bird's, drop a replay, parse it, and hand the event to the router. */
async function receiveDelivery(
  opts: WebhookReceiverOptions,
  guard: ReplayGuard,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const header = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : undefined;
  };
  const signature = header(WebhookHeaders.signature);
  const timestamp = header(WebhookHeaders.timestamp);
  const requestId = header(WebhookHeaders.requestId);
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const reject = (status: number, reason: string) => {
    req.log.warn({ requestId, reason }, 'webhook rejected');
    return reply.code(status).send({ error: reason });
  };

  // Bird's guide verifies with these two headers; the request id (only a reference in Bird's logs) may be absent.
  if (!signature || !timestamp) return reject(401, 'missing signature or timestamp header');
  const sent = guard.checkTimestamp(timestamp);
  if (sent.verdict !== 'ok') return reject(401, `timestamp ${sent.verdict}`);
  if (!verifyWebhookSignature(opts.signingKey.reveal(), timestamp, opts.publicUrl, raw, signature)) {
    return reject(401, 'invalid signature');
  }
  const key = deliveryKey(timestamp, raw);
  if (!guard.claim(key)) {
    req.log.info({ requestId }, 'duplicate delivery ignored');
    return reply.code(200).send({ status: 'duplicate' });
  }

  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    guard.complete(key);
    return reject(400, 'body is not JSON');
  }
  const event = ChannelEvent.safeParse(json);
  if (!event.success) {
    guard.complete(key);
    // Other services' events (or future channel events) are not ours to act on; acknowledge so Bird stops retrying.
    req.log.info({ requestId }, 'event ignored: not a channel event this receiver handles');
    return reply.code(202).send({ status: 'ignored' });
  }
  return routeEvent(opts.route, event.data, { guard, key, sentAtMs: sent.sentAtMs, requestId, req, reply });
}

interface ClaimedDelivery {
  guard: ReplayGuard;
  /** Claimed in the guard: completed once the event is settled, released when Bird should send it again. */
  key: string;
  sentAtMs: number;
  /** Bird's reference for its delivery logs, when it sent one: logged, never trusted (it is not signed). */
  requestId: string | undefined;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** The router's answer as Bird's: 2xx settles the delivery, 503 asks Bird to send it again later. */
async function routeEvent(
  route: StatusRouter,
  event: ChannelEvent,
  { guard, key, sentAtMs, requestId, req, reply }: ClaimedDelivery,
): Promise<FastifyReply> {
  try {
    const routed = await route(event, { deliveryKey: key, sentAtMs });
    switch (routed.outcome) {
      case 'accepted':
        guard.complete(key);
        return reply.code(200).send({ status: 'accepted', workflowId: routed.workflowId });
      case 'refused':
        guard.complete(key);
        req.log.info({ requestId, workflowId: routed.workflowId, reason: routed.reason }, 'report refused by the run');
        return reply.code(200).send({ status: 'ignored', reason: routed.reason });
      case 'no-run':
        guard.complete(key);
        req.log.info({ requestId, channelId: event.payload.channelId }, 'event for no running provisioning');
        return reply.code(202).send({ status: 'no-run' });
      case 'not-yet':
        guard.release(key);
        req.log.info({ requestId, channelId: event.payload.channelId }, 'no provisioning found yet; Bird will retry');
        return reply
          .code(503)
          .send({ status: 'not-yet', error: 'no provisioning found for this channel yet; retry later' });
    }
  } catch (err) {
    guard.release(key);
    req.log.error({ requestId, err: (err as Error).message }, 'could not report the event; Bird will retry');
    return reply.code(503).send({ error: 'temporarily unable to process' });
  }
}
