/**
 * The webhook receiver on its own (no Temporal): what it accepts, what it refuses, and that only genuine, first-seen
 * channel events reach the status router.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WebhookHeaders, type ChannelEvent } from '../src/bird/events';
import { signWebhook } from '../src/bird/signature';
import { Secret } from '../src/base/secret';
import { birdGuideHeaders } from './helpers/bird-guide';
import { buildWebhookReceiver } from '../src/webhook-receiver/server';
import type { Delivery, RouteOutcome } from '../src/webhook-receiver/status-router';

const PUBLIC_URL = 'https://hooks.example.com/bird/events';
const KEY = `key-${randomUUID()}`;

describe('webhook receiver', () => {
  let app: FastifyInstance;
  let routed: Array<{ event: ChannelEvent; delivery: Delivery }>;
  let routeImpl: () => Promise<RouteOutcome>;

  beforeEach(async () => {
    routed = [];
    routeImpl = async () => ({ outcome: 'accepted', workflowId: 'provision/x/y' });
    app = buildWebhookReceiver({
      signingKey: new Secret(KEY),
      publicUrl: PUBLIC_URL,
      maxBodyBytes: 4096,
      route: async (event, delivery) => {
        routed.push({ event, delivery });
        return routeImpl();
      },
    });
    await app.ready();
  });
  afterEach(() => app.close());

  const event = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      service: 'channels',
      event: 'channel.updated',
      payload: { channelId: randomUUID(), connectorId: randomUUID(), status: 'ok', stage: 'active', ...over },
    });

  function deliver(
    body: string,
    opts: { key?: string; url?: string; timestamp?: string; requestId?: string; signature?: string | null } = {},
  ) {
    const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [WebhookHeaders.timestamp]: timestamp,
      [WebhookHeaders.requestId]: opts.requestId ?? randomUUID(),
    };
    if (opts.signature !== null)
      headers[WebhookHeaders.signature] =
        opts.signature ?? signWebhook(opts.key ?? KEY, timestamp, opts.url ?? PUBLIC_URL, body);
    return app.inject({ method: 'POST', url: '/bird/events', headers, payload: body });
  }

  it('reports a genuine delivery to its run', async () => {
    const res = await deliver(event());
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<{ status: string }>().status, 'accepted');
    assert.equal(routed.length, 1);
    assert.equal(routed[0]!.event.payload.status, 'ok');
  });

  for (const [name, opts, status] of [
    ['no signature', { signature: null }, 401],
    ['a malformed signature', { signature: '***not base64***' }, 401],
    ['the wrong key', { key: 'someone-elses-key' }, 401],
    ['a signature over another URL', { url: 'https://evil.example.com/bird/events' }, 401],
    ['a timestamp older than the replay window', { timestamp: String(Math.floor(Date.now() / 1000) - 25 * 3600) }, 401],
    ['a timestamp in the future', { timestamp: String(Math.floor(Date.now() / 1000) + 3600) }, 401],
    ['a non-numeric timestamp', { timestamp: 'yesterday' }, 401],
  ] as const) {
    it(`refuses ${name} and never signals`, async () => {
      const res = await deliver(event(), opts);
      assert.equal(res.statusCode, status);
      assert.equal(routed.length, 0);
      assert.ok(!res.body.includes(KEY));
    });
  }

  it('refuses a tampered body', async () => {
    const body = event();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await deliver(event({ status: 'error' }), {
      timestamp,
      signature: signWebhook(KEY, timestamp, PUBLIC_URL, body),
    });
    assert.equal(res.statusCode, 401);
    assert.equal(routed.length, 0);
  });

  it('de-duplicates a delivery, even hours later (Bird retries keep their original timestamp)', async () => {
    const requestId = randomUUID();
    const body = event();
    const twoHoursAgo = String(Math.floor(Date.now() / 1000) - 2 * 3600);
    assert.equal((await deliver(body, { requestId, timestamp: twoHoursAgo })).statusCode, 200);
    const again = await deliver(body, { requestId, timestamp: twoHoursAgo });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ status: string }>().status, 'duplicate');
    assert.equal(routed.length, 1);
  });

  it('de-duplicates on what the signature covers: a captured delivery re-sent with fresh request ids is still a duplicate', async () => {
    const body = event();
    const timestamp = String(Math.floor(Date.now() / 1000));
    assert.equal((await deliver(body, { timestamp })).statusCode, 200);
    for (let i = 0; i < 200; i++) {
      const replay = await deliver(body, { timestamp, requestId: randomUUID() });
      assert.equal(replay.json<{ status: string }>().status, 'duplicate');
    }
    assert.equal(routed.length, 1);
    // The key is the signed timestamp and body, handed to the run so it can refuse the replay itself too.
    assert.match(routed[0]!.delivery.deliveryKey, new RegExp(`^${timestamp}\\.`));
    assert.equal(routed[0]!.delivery.sentAtMs, Number(timestamp) * 1000);
  });

  it('lets a retry through when reporting failed (Temporal unreachable → 503)', async () => {
    const requestId = randomUUID();
    const body = event();
    const timestamp = String(Math.floor(Date.now() / 1000));
    routeImpl = () => Promise.reject(new Error('temporal down'));
    assert.equal((await deliver(body, { requestId, timestamp })).statusCode, 503);
    routeImpl = async () => ({ outcome: 'accepted', workflowId: 'w' });
    assert.equal((await deliver(body, { requestId, timestamp })).statusCode, 200);
    assert.equal(routed.length, 2);
  });

  it('answers 503 while no provisioning is visible yet for a fresh delivery, so Bird retries it', async () => {
    const body = event();
    const timestamp = String(Math.floor(Date.now() / 1000));
    routeImpl = async () => ({ outcome: 'not-yet' });
    assert.equal((await deliver(body, { timestamp })).statusCode, 503);
    routeImpl = async () => ({ outcome: 'accepted', workflowId: 'w' });
    assert.equal((await deliver(body, { timestamp })).statusCode, 200, "Bird's retry is not taken for a duplicate");
  });

  it('acknowledges a report the run refused (not waiting, duplicate, over its cap)', async () => {
    routeImpl = async () => ({ outcome: 'refused', workflowId: 'w', reason: 'duplicate delivery' });
    const res = await deliver(event());
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ignored', reason: 'duplicate delivery' });
  });

  it('acknowledges events for no known run, and events it does not handle', async () => {
    routeImpl = async () => ({ outcome: 'no-run' });
    assert.equal((await deliver(event())).statusCode, 202);
    const other = JSON.stringify({ service: 'conversations', event: 'conversation.created', payload: {} });
    const res = await deliver(other);
    assert.equal(res.statusCode, 202);
    assert.equal(res.json<{ status: string }>().status, 'ignored');
    assert.equal(routed.length, 1);
  });

  describe("deliveries as Bird's guide signs and verifies them", () => {
    const post = (body: string, headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/bird/events',
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });
    const guideSigned = (body: string, timestamp: string) =>
      post(body, birdGuideHeaders(KEY, timestamp, PUBLIC_URL, body));

    it('accepts a delivery carrying only the signature and timestamp headers, and de-duplicates its retry', async () => {
      const body = event();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await guideSigned(body, timestamp);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json<{ status: string }>().status, 'accepted');
      const retry = await guideSigned(body, timestamp);
      assert.equal(retry.json<{ status: string }>().status, 'duplicate');
      // With or without a request id, the same signed delivery has the same key.
      const withId = await post(body, {
        ...birdGuideHeaders(KEY, timestamp, PUBLIC_URL, body),
        [WebhookHeaders.requestId]: randomUUID(),
      });
      assert.equal(withId.json<{ status: string }>().status, 'duplicate');
      assert.equal(routed.length, 1);
    });

    it('reads a 13-digit timestamp as milliseconds, verified over the header as sent', async () => {
      const body = event();
      const timestamp = String(Date.now() - 2 * 3_600_000);
      const res = await post(body, {
        ...birdGuideHeaders(KEY, timestamp, PUBLIC_URL, body),
        [WebhookHeaders.requestId]: randomUUID(),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(routed[0]!.delivery.sentAtMs, Number(timestamp));
      assert.match(routed[0]!.delivery.deliveryKey, new RegExp(`^${timestamp}\\.`));
      // The same instant in seconds is another header, so the millisecond signature does not cover it.
      const asSeconds = String(Math.floor(Number(timestamp) / 1000));
      const forged = await post(body, {
        ...birdGuideHeaders(KEY, timestamp, PUBLIC_URL, body),
        [WebhookHeaders.timestamp]: asSeconds,
      });
      assert.deepEqual([forged.statusCode, forged.json()], [401, { error: 'invalid signature' }]);
      for (const [ms, verdict] of [
        [Date.now() - 25 * 3_600_000, 'too-old'],
        [Date.now() + 3_600_000, 'in-future'],
      ] as const) {
        const refused = await guideSigned(event(), String(ms));
        assert.deepEqual([refused.statusCode, refused.json()], [401, { error: `timestamp ${verdict}` }]);
      }
      assert.equal(routed.length, 1);
    });

    for (const [unit, divisor] of [
      ['tens of seconds (9 digits)', 10_000],
      ['deciseconds (11 digits)', 100],
      ['centiseconds (12 digits)', 10],
      ['microseconds (16 digits)', 0.001],
    ] as const) {
      it(`refuses a timestamp in ${unit} by name`, async () => {
        const res = await guideSigned(event(), String(Math.floor(Date.now() / divisor)));
        assert.deepEqual([res.statusCode, res.json()], [401, { error: 'timestamp neither seconds nor milliseconds' }]);
        assert.equal(routed.length, 0);
      });
    }
  });

  it('caps the body size', async () => {
    const res = await deliver(event({ padding: 'x'.repeat(10_000) }));
    assert.equal(res.statusCode, 413);
    assert.equal(routed.length, 0);
  });
});
