/**
 * The receiver's metrics (prom-client): every delivery to the webhook path by result and, for refusals, the reason;
 * exposed with the process metrics on GET /metrics. Classified from each reply (status and its small JSON body),
 * so the delivery handler stays about deliveries. Reasons come from a fixed set of strings in server.ts.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export function receiverMetrics(): { registry: Registry; deliveries: Counter<'result' | 'reason'> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Bird webhook deliveries by result (accepted, no-run, not-yet, duplicate, ignored, rejected, unavailable) and reason',
    labelNames: ['result', 'reason'] as const,
    registers: [registry],
  });
  return { registry, deliveries };
}

/** Maps a reply to the delivery path onto {result, reason}. */
export function classifyDelivery(status: number, payload: unknown): { result: string; reason: string } {
  let body: { status?: unknown; error?: unknown } = {};
  if (typeof payload === 'string') {
    try {
      body = JSON.parse(payload) as typeof body;
    } catch {
      body = {};
    }
  }
  // 2xx replies, and the 503 that asks Bird to retry a delivery for a provisioning not visible yet, name their result.
  if ((status < 300 || status === 503) && typeof body.status === 'string') return { result: body.status, reason: '' };
  if (status === 503) return { result: 'unavailable', reason: 'temporal unreachable' };
  if (status === 413) return { result: 'rejected', reason: 'body too large' };
  const reason = typeof body.error === 'string' && body.error.length <= 80 ? body.error : `http ${status}`;
  return { result: 'rejected', reason };
}

export function instrumentReceiver(app: FastifyInstance, webhookPath: string): Registry {
  const { registry, deliveries } = receiverMetrics();
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method === 'POST' && req.url.split('?')[0] === webhookPath) {
      const { result, reason } = classifyDelivery(reply.statusCode, payload);
      deliveries.inc({ result, reason });
    }
    return payload;
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}
