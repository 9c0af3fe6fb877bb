/**
 * The webhook receiver as a real process (the compiled build, as in the image): its /metrics count deliveries by
 * result and reason, its logs are JSON without the signing key, and SIGTERM lets an in-flight delivery finish
 * before it stops accepting and exits 0.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WebhookHeaders } from '../src/bird/events';
import { signWebhook } from '../src/bird/signature';
import { scrape, startNodeProcess, sum, type NodeProcess } from './helpers/processes';
import { productionBuild } from './helpers/production-build';
import { freePort, temporal } from './helpers/temporal';

const PUBLIC_URL = 'https://hooks.receiver-process.example/bird/events';

describe('webhook receiver process', function () {
  this.timeout(120_000);
  const signingKey = `signing-key-${randomUUID()}`;
  let receiver: NodeProcess;
  let base: string;

  before(async () => {
    const [harness, build] = await Promise.all([temporal(), productionBuild()]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    receiver = startNodeProcess(
      build.receiverJs,
      {
        TEMPORAL_ADDRESS: harness.address,
        TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
        WEBHOOK_SIGNING_KEY: signingKey,
        WEBHOOK_PUBLIC_URL: PUBLIC_URL,
        RECEIVER_PORT: String(port),
      },
      { node: process.execPath },
    );
    await receiver.waitForLine('listening', (l) => l.includes('webhook receiver listening'));
    // It listens before it has reached Temporal (and answers 503 meanwhile): the counts below need it connected.
    await receiver.waitForLine('connected', (l) => l.includes('connected to Temporal'));
  });
  after(() => receiver?.kill());

  /**
   * An event for a channel no provisioning owns: the router looks it up (with its short retries). Sent minutes ago,
   * it is answered 202 (no provisioning); sent just now, 503 (visibility may lag a connector created moments ago,
   * so Bird is asked to retry).
   */
  function deliver(
    opts: { key?: string; requestId?: string; sentSecondsAgo?: number; body?: string; timestamp?: string } = {},
  ): Promise<Response> {
    const body =
      opts.body ??
      JSON.stringify({
        service: 'channels',
        event: 'channel.updated',
        payload: { channelId: randomUUID(), status: 'ok', stage: 'active' },
      });
    const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000) - (opts.sentSecondsAgo ?? 600));
    return fetch(`${base}/bird/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WebhookHeaders.timestamp]: timestamp,
        [WebhookHeaders.requestId]: opts.requestId ?? randomUUID(),
        [WebhookHeaders.signature]: signWebhook(opts.key ?? signingKey, timestamp, PUBLIC_URL, body),
      },
      body,
    });
  }

  it('counts deliveries by result and reason on /metrics', async () => {
    assert.equal((await deliver({ key: 'not-the-key-at-all' })).status, 401);
    // The same signed delivery twice (a replay with a fresh request id): the second is a duplicate.
    const body = JSON.stringify({
      service: 'channels',
      event: 'channel.updated',
      payload: { channelId: randomUUID(), status: 'ok', stage: 'active' },
    });
    const timestamp = String(Math.floor(Date.now() / 1000) - 600);
    assert.equal((await deliver({ body, timestamp })).status, 202);
    assert.equal((await deliver({ body, timestamp })).status, 200);
    assert.equal((await deliver({ sentSecondsAgo: 0 })).status, 503);
    const { samples } = await scrape(`${base}/metrics`);
    assert.equal(sum(samples, 'webhook_deliveries_total', { result: 'rejected', reason: 'invalid signature' }), 1);
    assert.equal(sum(samples, 'webhook_deliveries_total', { result: 'no-run' }), 1);
    assert.equal(sum(samples, 'webhook_deliveries_total', { result: 'duplicate' }), 1);
    assert.equal(sum(samples, 'webhook_deliveries_total', { result: 'not-yet' }), 1);
    assert.equal(sum(samples, 'webhook_deliveries_total'), 4, 'scrapes and health checks are not deliveries');
    assert.ok(sum(samples, 'process_resident_memory_bytes') > 0);
  });

  it('SIGTERM: the in-flight delivery is answered, new connections are refused, exit code 0', async () => {
    const inFlight = deliver();
    await new Promise((r) => setTimeout(r, 300)); // the lookup retries keep it in flight for over a second
    receiver.child.kill('SIGTERM');
    await receiver.waitForLine('draining', (l) => l.includes('draining'));
    const answered = await inFlight;
    assert.equal(answered.status, 202);
    assert.deepEqual(await receiver.exited, { code: 0, signal: null }, receiver.lines.slice(-10).join('\n'));
    await assert.rejects(fetch(`${base}/healthz`), /fetch failed/);
    assert.ok(receiver.json().some((l) => l.msg === 'receiver stopped'));
  });

  it('logs JSON and never the signing key', () => {
    assert.ok(receiver.json().length >= 3);
    for (const line of receiver.lines) assert.ok(!line.includes(signingKey), line.slice(0, 200));
  });
});
