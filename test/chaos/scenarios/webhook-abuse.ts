/**
 * Scenario 4, hostile webhooks: while a few provisionings wait for readiness by webhook only, the receiver process
 * takes a bounded flood of deliveries on 127.0.0.1: forged and missing signatures, a valid signature over another
 * URL, replays of a captured genuine delivery (fresh request ids), replays stamped hours ago, expired and future
 * timestamps, malformed and oversized bodies, huge headers, other services' events and events for unknown channels.
 * The receiver must stay up, keep its memory bounded, answer every kind as it should and fast, and signal the runs
 * only with genuine events: each genuine run becomes ready by webhook, and no run accepts more reports than Bird
 * really sent.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { WebhookHeaders } from '../../../src/bird/events';
import { signWebhook } from '../../../src/bird/signature';
import { awaitResult, getProgress, parseAndStartProvisioning } from '../../../src/client/provisioning-client';
import { scrape, sum } from '../../helpers/processes';
import { auditScenario, type Expected, type NumberOutcome } from '../audit';
import { median } from '../recovery';
import type { ScenarioResult } from '../report';
import { CHAOS_PUBLIC_URL, startChaosStack, type ChaosStack } from '../stack';
import type { ChaosWorld } from '../world';

export interface WebhookAbuseSize {
  genuine: number;
  flood: number;
  concurrency: number;
}

/** How much the receiver may grow during the flood: generous (GC timing varies), far below a leak's slope. */
const MAX_RSS_GROWTH = 200 * 2 ** 20;

interface Delivery {
  headers: Record<string, string>;
  body: string;
}

interface Kind {
  name: string;
  /** At most this many of the flood (each costs the receiver Temporal lookups); the rest are spread evenly. */
  cap?: number;
  make: (i: number) => Delivery;
  /** The answers that are right for it (a number, or "error" for a connection the server closed). */
  ok: (status: number | 'error') => boolean;
  /** How many times, over the whole flood, this answer must have been given (a replay is processed once). */
  once?: string;
}

export async function webhookAbuse(world: ChaosWorld, size: WebhookAbuseSize): Promise<ScenarioResult> {
  const started = Date.now();
  const stack = await startChaosStack(world, { workers: 1, receiver: true, sim: { provisioningDelayMs: 1_000 } });
  const notes: string[] = [];
  const failedChecks: string[] = [];
  try {
    const receiverUrl = stack.receiver!.url;
    const origin = new URL(receiverUrl).origin;
    const rss = async () => sum((await scrape(`${origin}/metrics`)).samples, 'process_resident_memory_bytes');

    // Genuine runs that only a webhook can make ready, slow enough to be waiting while the flood goes on.
    const genuine = await Promise.all(
      Array.from({ length: size.genuine }, async (_, i) => {
        const phoneNumberId = randomUUID();
        stack.sim.configureNumber(phoneNumberId, { outcome: 'active', delayMs: 5_000 + i * 1_000 });
        const run = await parseAndStartProvisioning(
          world.client,
          {
            workspaceId: stack.workspaceId,
            organizationId: stack.organizationId,
            connector: {
              connectorTemplateRef: 'sms-messagebird:1',
              name: `Genuine ${i}`,
              arguments: { phoneNumberId, channelMessageType: 'transactional' },
            },
            readiness: { mode: 'webhook', deadline: '3m' },
          },
          { taskQueue: stack.taskQueue },
        );
        return { phoneNumberId, workflowId: run.workflowId };
      }),
    );
    const captured = await waitForGenuineDelivery(stack);
    const rssBefore = await rss();

    const kinds = abuseKinds(stack, captured);
    const plan = floodPlan(kinds, size.flood);
    const latencies: number[] = [];
    const answers = new Map<string, Map<string, number>>();
    const wrong: string[] = [];
    let peakRss = rssBefore;
    const sampler = setInterval(
      () =>
        void rss().then(
          (v) => (peakRss = Math.max(peakRss, v)),
          () => undefined,
        ),
      500,
    );
    const floodStarted = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: size.concurrency }, async () => {
        while (next < plan.length) {
          const { kind, i } = plan[next++]!;
          const d = kind.make(i);
          const t0 = performance.now();
          const status = await post(receiverUrl, d);
          latencies.push(performance.now() - t0);
          const byStatus = answers.get(kind.name) ?? new Map<string, number>();
          byStatus.set(String(status), (byStatus.get(String(status)) ?? 0) + 1);
          answers.set(kind.name, byStatus);
          if (!kind.ok(status) && wrong.length < 10) wrong.push(`${kind.name} answered ${status}`);
        }
      }),
    );
    const floodMs = Date.now() - floodStarted;
    clearInterval(sampler);
    const rssAfter = await rss();
    const health = await fetch(`${origin}/healthz`).then(
      (r) => r.status,
      () => 'down',
    );
    if (health !== 200) failedChecks.push(`the receiver's /healthz answered ${health} after the flood`);
    if (stack.receiver!.proc.child.exitCode !== null) failedChecks.push('the receiver process exited');
    // Bounded: the replay cache and every buffer are capped; a flood must not grow the process without limit.
    if (peakRss - rssBefore > MAX_RSS_GROWTH)
      failedChecks.push(`the receiver grew by ${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MiB during the flood`);
    failedChecks.push(...wrong.map((w) => `a ${w}`));
    for (const k of kinds) {
      const n = k.once ? (answers.get(k.name)?.get(k.once) ?? 0) : 1;
      if (n !== 1) failedChecks.push(`${k.name}: answered ${k.once} ${n} times, expected once`);
    }

    // Every genuine run becomes ready by webhook, and no run took more reports than Bird sent for its connector.
    const outcomes = new Map<string, NumberOutcome>();
    const expected = new Map<string, Expected>();
    for (const g of genuine) {
      expected.set(g.phoneNumberId, 'active');
      const outcome = await awaitResult(world.client, g.workflowId);
      outcomes.set(
        g.phoneNumberId,
        outcome.ok ? { outcome: 'active', connectorId: outcome.result.connectorId } : { outcome: 'failed' },
      );
      if (!outcome.ok) continue;
      if (outcome.result.readinessSource !== 'webhook')
        failedChecks.push(`${g.workflowId} became ready by ${outcome.result.readinessSource}, not by webhook`);
      const reports = (await getProgress(world.client, g.workflowId)).statusReports;
      const sent = stack.sim
        .deliveries()
        .filter((d) => d.body.payload.connectorId === outcome.result.connectorId && d.attempt === 1).length;
      if (reports > sent) failedChecks.push(`${g.workflowId} accepted ${reports} reports; Bird sent ${sent}`);
    }
    const metrics = (await scrape(`${origin}/metrics`)).samples;
    const accepted = sum(metrics, 'webhook_deliveries_total', { result: 'accepted' });
    const genuineSent = stack.sim.deliveries().filter((d) => d.status === 200).length;
    if (accepted > genuineSent)
      failedChecks.push(`the receiver accepted ${accepted} deliveries; Bird delivered ${genuineSent}`);

    const sorted = [...latencies].sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
    notes.push(
      `flood: ${plan.length} deliveries (${kinds.length} kinds) in ${(floodMs / 1000).toFixed(1)} s (${Math.round(plan.length / (floodMs / 1000))}/s, ${size.concurrency} at once); latency median ${median(latencies)!.toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${p(1).toFixed(0)} ms`,
      `receiver memory (RSS): ${mib(rssBefore)} before, peak ${mib(peakRss)}, ${mib(rssAfter)} after; still healthy: ${health === 200 ? 'yes' : 'no'}`,
      `answers: ${[...answers].map(([k, m]) => `${k} ${[...m].map(([s, n]) => `${s}×${n}`).join('/')}`).join('; ')}`,
      `signals: ${accepted} deliveries accepted, all genuine (Bird delivered ${genuineSent}); ${genuine.length} runs ready by webhook`,
    );
    const figures = await auditScenario(stack, expected, outcomes, [...notes]);
    return {
      name: 'webhook abuse',
      size: `${plan.length} hostile deliveries, ${size.genuine} genuine runs`,
      figures,
      recoveries: [],
      durationMs: Date.now() - started,
      notes,
      failedChecks,
    };
  } finally {
    await stack.close();
  }
}

/**
 * One delivery on its own connection, as a flood from many clients arrives: a kept-alive connection that the server
 * closes after refusing huge headers would otherwise fail the next request sent on it (a client-side race, not an
 * answer of the receiver's).
 */
function post(url: string, d: Delivery): Promise<number | 'error'> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { ...d.headers, 'content-length': String(Buffer.byteLength(d.body)) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 'error'));
        res.on('error', () => resolve('error'));
      },
    );
    req.on('error', () => resolve('error'));
    req.end(d.body);
  });
}

/** A genuine delivery as an attacker could capture it on the wire (Bird's signature over it is recomputed). */
async function waitForGenuineDelivery(stack: ChaosStack): Promise<{ timestamp: string; body: string }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const d = stack.sim.deliveries().find((x) => x.status === 200);
    if (d) return { timestamp: d.timestamp, body: JSON.stringify(d.body) };
    if (Date.now() > deadline) throw new Error('no genuine delivery reached the receiver');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function abuseKinds(stack: ChaosStack, captured: { timestamp: string; body: string }): Kind[] {
  const key = stack.secrets.signingKey;
  const now = () => String(Math.floor(Date.now() / 1000));
  const event = (channelId = randomUUID()) =>
    JSON.stringify({
      service: 'channels',
      event: 'channel.updated',
      payload: { channelId, connectorId: randomUUID(), status: 'ok', stage: 'active' },
    });
  const signed = (body: string, timestamp = now(), signingKey = key, url = CHAOS_PUBLIC_URL): Delivery => ({
    body,
    headers: {
      'content-type': 'application/json',
      [WebhookHeaders.requestId]: randomUUID(),
      [WebhookHeaders.timestamp]: timestamp,
      [WebhookHeaders.signature]: signWebhook(signingKey, timestamp, url, body),
    },
  });
  const hoursAgo = String(Math.floor(Date.now() / 1000) - 2 * 3600);
  const oldBody = event();
  const is =
    (...codes: Array<number | 'error'>) =>
    (status: number | 'error') =>
      codes.includes(status);
  return [
    { name: 'forged signature', make: () => signed(event(), now(), `forged-${randomUUID()}`), ok: is(401) },
    {
      name: 'no signature',
      make: () => {
        const d = signed(event());
        delete d.headers[WebhookHeaders.signature];
        return d;
      },
      ok: is(401),
    },
    {
      name: 'signature over another URL',
      make: () => signed(event(), now(), key, 'https://attacker.example.com/bird/events'),
      ok: is(401),
    },
    { name: 'replay of a genuine delivery', make: () => signed(captured.body, captured.timestamp), ok: is(200) },
    // Processed once (no run has its channel: 202), a duplicate ever after, even sent concurrently.
    { name: 'replay stamped 2 h ago', make: () => signed(oldBody, hoursAgo), ok: is(200, 202), once: '202' },
    {
      name: 'expired timestamp (25 h)',
      make: () => signed(event(), String(Math.floor(Date.now() / 1000) - 25 * 3600)),
      ok: is(401),
    },
    {
      name: 'future timestamp',
      make: () => signed(event(), String(Math.floor(Date.now() / 1000) + 3600)),
      ok: is(401),
    },
    { name: 'malformed body', make: () => signed(`{"service":"channels",${randomUUID()}`), ok: is(400) },
    {
      name: 'oversized body',
      make: () => signed(JSON.stringify({ service: 'channels', padding: 'x'.repeat(70 * 1024), id: randomUUID() })),
      ok: is(413, 'error'),
    },
    {
      name: 'huge headers',
      make: () => {
        const d = signed(event());
        d.headers['x-padding'] = 'y'.repeat(20 * 1024);
        return d;
      },
      ok: is(431, 'error'),
    },
    {
      name: 'other service event',
      make: () =>
        signed(
          JSON.stringify({ service: 'conversations', event: 'conversation.created', payload: { id: randomUUID() } }),
        ),
      ok: is(202),
    },
    // Signed, fresh, for a channel no run has: the receiver looks it up (visibility) and asks Bird to retry later.
    { name: 'unknown channel', cap: 20, make: () => signed(event()), ok: is(503) },
  ];
}

function floodPlan(kinds: Kind[], total: number): Array<{ kind: Kind; i: number }> {
  const capped = kinds.filter((k) => k.cap !== undefined);
  const plan: Array<{ kind: Kind; i: number }> = [];
  for (const k of capped) for (let i = 0; i < Math.min(k.cap!, Math.ceil(total / 100)); i++) plan.push({ kind: k, i });
  const rest = kinds.filter((k) => k.cap === undefined);
  for (let i = 0; plan.length < total; i++) plan.push({ kind: rest[i % rest.length]!, i });
  // Shuffled, so every kind meets every other under load.
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}
