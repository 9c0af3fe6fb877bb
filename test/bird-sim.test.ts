/**
 * The Bird simulator over real HTTP: contract statuses and bodies, asynchronous provisioning, signed webhook
 * deliveries, fault injection and the /_sim surface.
 */
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ChannelEvent, WebhookHeaders } from '../src/bird/events';
import { Connector, ConnectorList, ConnectorStatus, ErrorBody, WebhookSubscription } from '../src/bird/schemas';
import { verifyWebhookSignature } from '../src/bird/signature';
import { BIRD_RETRY_SCHEDULE_MS, BirdSimulator, DEFAULT_WORKSPACE, type SimDelivery } from '../src/bird-sim';
import { signedAsBirdsGuide } from './helpers/bird-guide';
import { waitFor } from './helpers/wait';

const WS = DEFAULT_WORKSPACE.id;
const ORG = DEFAULT_WORKSPACE.organizationId;
const KEY = 'sim-access-key';
const PHONE_1 = '2cffb55c-120e-91a8-8f10-ed9d1b412d29';
const PHONE_2 = '3d00c66d-231f-42b9-9021-fe0e2c523e3a';
const PHONE_3 = '4e11d77e-3420-43ca-a132-0f1f3d634f4b';

interface Res {
  status: number;
  headers: Headers;
  json: unknown;
}

let sim: BirdSimulator;

async function api(
  method: string,
  path: string,
  body?: unknown,
  key: string | null = KEY,
  signal?: AbortSignal,
): Promise<Res> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `AccessKey ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(sim.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: signal ?? AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Parsing with the client's own schemas doubles as a shape check of every body the test reads. */
function bodyOf<T>(schema: z.ZodType<T>, res: Res): T {
  return schema.parse(res.json);
}

function smsRequest(phoneNumberId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    connectorTemplateRef: 'sms-messagebird:1',
    name: `SMS ${phoneNumberId.slice(0, 8)}`,
    arguments: { phoneNumberId, channelMessageType: 'transactional' },
    ...overrides,
  };
}

const createSms = (phoneNumberId: string, overrides?: Record<string, unknown>) =>
  api('POST', `/workspaces/${WS}/connectors`, smsRequest(phoneNumberId, overrides));

/** Checks the contract's Error rules (code/message >= 5 chars, nothing else) and returns details.field. */
function assertError(res: Res, status: number, code: string): string | undefined {
  assert.equal(res.status, status);
  const body = bodyOf(ErrorBody, res);
  assert.equal(body.code, code);
  assert.ok(body.message.length >= 5, 'message of at least 5 chars');
  assert.deepEqual(
    Object.keys(body).filter((k) => !['code', 'message', 'details'].includes(k)),
    [],
  );
  const field = body.details?.field;
  return typeof field === 'string' ? field : undefined;
}

describe('Bird simulator', function () {
  this.timeout(5000);

  before(async () => {
    sim = await BirdSimulator.start({ provisioningDelayMs: 100, seed: 42, webhookRetryScale: 0.001 });
  });
  afterEach(() => {
    sim.setFaults({
      serverErrorRate: 0,
      rateLimitRate: 0,
      retryAfterSeconds: null,
      lostCreateResponseRate: 0,
      latencyMs: 0,
    });
    sim.reset();
  });
  after(() => sim.close());

  describe('auth and workspaces', () => {
    it('answers 401 without or with a wrong access key', async () => {
      assertError(await api('GET', `/workspaces/${WS}/connectors`, undefined, null), 401, 'Unauthorized');
      assert.equal((await api('GET', `/workspaces/${WS}/connectors`, undefined, 'wrong-key')).status, 401);
    });

    it('answers 404 WorkspaceNotFound on create and list for an unknown workspace', async () => {
      const ws = '00000000-0000-4000-8000-000000000000';
      assertError(await api('POST', `/workspaces/${ws}/connectors`, smsRequest(PHONE_1)), 404, 'WorkspaceNotFound');
      assertError(await api('GET', `/workspaces/${ws}/connectors`), 404, 'WorkspaceNotFound');
    });
  });

  describe('createConnector validation', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['missing channelMessageType', { arguments: { phoneNumberId: PHONE_1 } }, 'arguments.channelMessageType'],
      [
        'invalid channelMessageType',
        { arguments: { phoneNumberId: PHONE_1, channelMessageType: 'spam' } },
        'arguments.channelMessageType',
      ],
      [
        'non-uuid phoneNumberId',
        { arguments: { phoneNumberId: '1234', channelMessageType: '2fa' } },
        'arguments.phoneNumberId',
      ],
      ['unknown top-level field', { colour: 'blue' }, 'colour'],
      ['unknown template ref', { connectorTemplateRef: 'carrier-pigeon:1' }, 'connectorTemplateRef'],
    ];
    for (const [title, overrides, field] of cases) {
      it(`answers 422 naming ${field} for ${title}`, async () => {
        const res = await createSms(PHONE_1, overrides);
        assert.equal(assertError(res, 422, 'InvalidData'), field);
        assert.match(bodyOf(ErrorBody, res).message, new RegExp(field.replace('.', '\\.')));
      });
    }

    it('answers 422 naming arguments.useCaseId for a 10DLC number without one', async () => {
      sim.configureNumber(PHONE_2, { outcome: 'active', tenDlc: true });
      assert.equal(assertError(await createSms(PHONE_2), 422, 'InvalidData'), 'arguments.useCaseId');
      const withUseCase = await createSms(PHONE_2, {
        arguments: { phoneNumberId: PHONE_2, channelMessageType: '2fa', useCaseId: PHONE_3 },
      });
      assert.equal(withUseCase.status, 201);
    });

    it('answers 409 for a second live connector with the same phone number or name', async () => {
      assert.equal((await createSms(PHONE_1)).status, 201);
      const samePhone = await createSms(PHONE_1, { name: 'another name' });
      assert.equal(assertError(samePhone, 409, 'ConnectorAlreadyExists'), 'arguments.phoneNumberId');
      const sameName = await createSms(PHONE_2, { name: `SMS ${PHONE_1.slice(0, 8)}` });
      assert.equal(assertError(sameName, 409, 'ConnectorAlreadyExists'), 'name');
    });
  });

  describe('connector lifecycle', () => {
    it('creates 201 and provisions pending -> ok/active after the delay', async () => {
      const created = await createSms(PHONE_1);
      assert.equal(created.status, 201);
      const c = bodyOf(Connector, created);
      assert.equal(c.connectorTemplateRef, 'sms-messagebird:1');
      assert.equal(c.connectorTemplateSlug, 'sms-messagebird');
      assert.equal(c.channel?.platform, 'sms-messagebird');
      assert.equal(c.number?.numberId, PHONE_1);
      assert.match(c.number?.phoneNumber ?? '', /^\+3197\d{8}$/);

      const statusOf = async () =>
        bodyOf(ConnectorStatus, await api('GET', `/workspaces/${WS}/connectors/${c.id}/status`));
      const first = await statusOf();
      assert.deepEqual([first.channel?.status, first.channel?.stage], ['pending', 'provisioning']);

      const ready = await waitFor('active channel', async () => {
        const s = await statusOf();
        return s.channel?.status === 'ok' ? s : undefined;
      });
      assert.equal(ready.channel?.stage, 'active');
      assert.equal(ready.channel?.channelId, c.channel?.channelId);
      assert.deepEqual([ready.number?.status, ready.number?.stage], ['ok', 'active']);
      assert.equal(bodyOf(Connector, await api('GET', `/workspaces/${WS}/connectors/${c.id}`)).id, c.id);
    });

    it('ends in error/inactive with a message for a number configured to fail', async () => {
      sim.configureNumber(PHONE_2, { outcome: 'error', delayMs: 30, errorMessage: 'number is not SMS capable' });
      const c = bodyOf(Connector, await createSms(PHONE_2));
      const failed = await waitFor('error status', async () => {
        const s = bodyOf(ConnectorStatus, await api('GET', `/workspaces/${WS}/connectors/${c.id}/status`));
        return s.channel?.status === 'error' ? s : undefined;
      });
      assert.equal(failed.channel?.stage, 'inactive');
      assert.equal(failed.channel?.errorMessage, 'number is not SMS capable');
      assert.equal(failed.number?.status, 'error');
    });

    it('pages the list with nextPageToken and filters by templateRef', async () => {
      for (const phone of [PHONE_1, PHONE_2, PHONE_3]) assert.equal((await createSms(phone)).status, 201);
      const waRes = await api('POST', `/workspaces/${WS}/connectors`, {
        name: 'WhatsApp',
        connectorTemplateRef: 'whatsapp:1',
      });
      assert.equal(waRes.status, 201);
      const wa = bodyOf(Connector, waRes);
      assert.equal(wa.number, undefined);
      const list = async (query: string) =>
        bodyOf(ConnectorList, await api('GET', `/workspaces/${WS}/connectors?${query}`));

      const page1 = await list('limit=3');
      assert.equal(page1.results.length, 3);
      assert.equal(typeof page1.nextPageToken, 'string');
      const page2 = await list(`limit=3&pageToken=${encodeURIComponent(page1.nextPageToken ?? '')}`);
      assert.deepEqual(
        page2.results.map((r) => r.id),
        [wa.id],
      );
      assert.equal(page2.nextPageToken, undefined);

      const sms = await list('templateRef=sms-messagebird:1&limit=100');
      assert.deepEqual(
        sms.results.map((r) => r.number?.numberId),
        [PHONE_1, PHONE_2, PHONE_3],
      );
      assert.equal(sms.nextPageToken, undefined);
      const newestFirst = await list('reverse=true&limit=1');
      assert.deepEqual(
        newestFirst.results.map((r) => r.id),
        [wa.id],
      );
    });

    it('deletes 204, then get/status 404, list excludes it, connectors() keeps it', async () => {
      const c = bodyOf(Connector, await createSms(PHONE_1));
      const deleted = await api('DELETE', `/workspaces/${WS}/connectors/${c.id}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.json, undefined);
      assertError(await api('GET', `/workspaces/${WS}/connectors/${c.id}`), 404, 'ConnectorNotFound');
      assertError(await api('GET', `/workspaces/${WS}/connectors/${c.id}/status`), 404, 'ConnectorNotFound');
      assert.deepEqual(bodyOf(ConnectorList, await api('GET', `/workspaces/${WS}/connectors`)).results, []);
      assertError(await api('DELETE', `/workspaces/${WS}/connectors/${c.id}`), 404, 'ConnectorNotFound');

      const [record] = sim.connectors();
      assert.equal(record?.id, c.id);
      assert.ok(record?.deletedAt);
      assert.deepEqual([record?.state.status, record?.state.stage], ['ok', 'deprovisioned']);
      // The cancelled provisioning timer must not flip it back to active.
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(sim.connectors()[0]?.state.stage, 'deprovisioned');
      // The phone number is free again.
      assert.equal((await createSms(PHONE_1)).status, 201);
    });
  });

  describe('webhook subscriptions', () => {
    const path = `/organizations/${ORG}/workspaces/${WS}/webhook-subscriptions`;

    it('creates 201 without echoing the signing key', async () => {
      const res = await api('POST', path, {
        service: 'channels',
        event: 'channel.updated',
        url: 'https://hooks.example.com/x',
        signingKey: 'secret-key',
      });
      assert.equal(res.status, 201);
      const sub = bodyOf(WebhookSubscription, res);
      assert.equal(sub.status, 'active');
      assert.deepEqual(sub.eventFilters, []);
      assert.equal('signingKey' in sub, false);
      assert.equal(sim.subscriptions()[0]?.hasSigningKey, true);
      assert.equal(JSON.stringify(sim.calls()).includes('secret-key'), false);
    });

    it('answers 400 for malformed JSON and 422 for schema, workspace and rejected-url errors', async () => {
      assertError(await api('POST', path, '{"service":'), 400, 'InvalidRequest');

      const badUrl = await api('POST', path, {
        service: 'channels',
        event: 'channel.updated',
        url: 'http://127.0.0.1:9/x',
      });
      assert.equal(assertError(badUrl, 422, 'InvalidData'), 'url');

      const badFilter = await api('POST', path, {
        service: 'channels',
        event: 'channel.updated',
        url: 'https://hooks.example.com/x',
        eventFilters: [{ key: 'channelId', value: 'not-a-uuid' }],
      });
      assert.equal(assertError(badFilter, 422, 'InvalidData'), 'eventFilters.0.value');

      const otherOrg = await api('POST', `/organizations/${WS}/workspaces/${WS}/webhook-subscriptions`, {
        service: 'channels',
        event: 'channel.updated',
        url: 'https://hooks.example.com/x',
      });
      assertError(otherOrg, 422, 'WorkspaceNotFound');

      sim.rejectSubscriptionsFor('https://broken.example.com');
      const rejected = await api('POST', path, {
        service: 'channels',
        event: 'channel.updated',
        url: 'https://broken.example.com/hook',
      });
      assert.equal(assertError(rejected, 422, 'InvalidUrl'), 'url');
    });
  });

  describe('webhook deliveries', () => {
    const PUBLIC = 'https://hooks.example.com';
    const HOOK_PATH = '/bird/channels';
    const SIGNING_KEY = 'test-signing-key';
    let receiver: FastifyInstance;
    let received: Array<{ headers: Record<string, string | string[] | undefined>; raw: Buffer; url: string }>;
    let failuresLeft = 0;

    before(async () => {
      receiver = Fastify({ forceCloseConnections: true });
      receiver.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      receiver.post('/*', (req, reply) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          return reply.code(500).send();
        }
        received.push({ headers: req.headers, raw: req.body as Buffer, url: req.url });
        return reply.code(204).send();
      });
      const local = await receiver.listen({ host: '127.0.0.1', port: 0 });
      sim.routeDeliveries(PUBLIC, local);
    });
    beforeEach(() => {
      received = [];
      failuresLeft = 0;
    });
    after(() => receiver.close());

    async function subscribe(event: string, eventFilters: unknown[] = []): Promise<void> {
      const res = await api('POST', `/organizations/${ORG}/workspaces/${WS}/webhook-subscriptions`, {
        service: 'channels',
        event,
        url: PUBLIC + HOOK_PATH,
        signingKey: SIGNING_KEY,
        eventFilters,
      });
      assert.equal(res.status, 201);
    }

    it('delivers signed channel.created and channel.updated to the routed receiver', async () => {
      await subscribe('channel.created');
      await subscribe('channel.updated', [{ key: 'status', value: 'ok' }]);
      const c = bodyOf(Connector, await createSms(PHONE_1));
      await waitFor('two deliveries', () => (received.length >= 2 ? true : undefined));

      const events = received.map((r) => ChannelEvent.parse(JSON.parse(r.raw.toString('utf8'))));
      assert.deepEqual(
        events.map((e) => [e.event, e.payload.status, e.payload.stage]),
        [
          ['channel.created', 'pending', 'provisioning'],
          ['channel.updated', 'ok', 'active'],
        ],
      );
      for (const [i, r] of received.entries()) {
        assert.equal(r.url, HOOK_PATH);
        const timestamp = r.headers[WebhookHeaders.timestamp] as string;
        const signature = r.headers[WebhookHeaders.signature] as string;
        assert.match(r.headers[WebhookHeaders.requestId] as string, /^[0-9a-f-]{36}$/);
        assert.ok(
          verifyWebhookSignature(SIGNING_KEY, timestamp, PUBLIC + HOOK_PATH, r.raw, signature),
          'signature over the public URL',
        );
        assert.equal(verifyWebhookSignature(SIGNING_KEY, timestamp, r.url, r.raw, signature), false);
        assert.equal(signature, signedAsBirdsGuide(SIGNING_KEY, timestamp, PUBLIC + HOOK_PATH, r.raw.toString('utf8')));
        const { channelId, connectorId, identifier } = events[i]!.payload;
        assert.deepEqual(
          { channelId, connectorId, identifier },
          { channelId: c.channel?.channelId, connectorId: c.id, identifier: c.number?.phoneNumber },
        );
      }
    });

    it('retries a failed delivery with the same request id and timestamp', async () => {
      await subscribe('channel.created');
      failuresLeft = 1;
      await createSms(PHONE_1);
      const attempts = await waitFor('a successful retry', () => {
        const d = sim.deliveries();
        return d.some((x) => x.status === 204) ? d : undefined;
      });
      assert.deepEqual(
        attempts.map((d: SimDelivery) => [d.attempt, d.status]),
        [
          [1, 500],
          [2, 204],
        ],
      );
      assert.equal(attempts[0]?.requestId, attempts[1]?.requestId);
      assert.equal(attempts[0]?.timestamp, attempts[1]?.timestamp);
      assert.equal(attempts[0]?.url, PUBLIC + HOOK_PATH);
    });

    it("keeps retrying on Bird's schedule (a day of backoff, compressed), not a few quick tries", async () => {
      await subscribe('channel.created');
      failuresLeft = 6;
      await createSms(PHONE_1);
      const attempts = await waitFor(
        'the seventh attempt',
        () => {
          const d = sim.deliveries();
          return d.some((x) => x.status === 204) ? d : undefined;
        },
        4_000,
      );
      assert.deepEqual(
        attempts.map((d: SimDelivery) => d.attempt),
        [1, 2, 3, 4, 5, 6, 7],
      );
      for (let i = 1; i < attempts.length; i++) {
        const waited = attempts[i]!.at - attempts[i - 1]!.at;
        const scheduled = BIRD_RETRY_SCHEDULE_MS[i - 1]! * 0.001;
        assert.ok(waited >= scheduled - 2, `retry ${i} after ${waited} ms, scheduled ${scheduled} ms`);
      }
      assert.equal(new Set(attempts.map((a) => a.requestId)).size, 1);
      assert.ok(
        BIRD_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0) >= 20 * 3_600_000,
        'the real schedule spans most of a day',
      );
    });
  });

  describe('fault injection', () => {
    it('scripts a 503 before the real answer', async () => {
      sim.scriptFault('listConnectors', '503');
      assertError(await api('GET', `/workspaces/${WS}/connectors`), 503, 'ServiceUnavailable');
      assert.equal((await api('GET', `/workspaces/${WS}/connectors`)).status, 200);
      assert.deepEqual(
        sim.calls().map((c) => [c.status, c.fault]),
        [
          [503, '503'],
          [200, undefined],
        ],
      );
    });

    it('answers 429 with Retry-After only for 429-retry-after', async () => {
      sim.setFaults({ retryAfterSeconds: 7 });
      sim.scriptFault('getConnector', '429-retry-after');
      sim.scriptFault('getConnector', '429');
      const withHeader = await api('GET', `/workspaces/${WS}/connectors/${PHONE_1}`);
      assert.equal(withHeader.status, 429);
      assert.equal(withHeader.headers.get('retry-after'), '7');
      const without = await api('GET', `/workspaces/${WS}/connectors/${PHONE_1}`);
      assert.equal(without.status, 429);
      assert.equal(without.headers.get('retry-after'), null);
    });

    it('lost-response commits the connector but the client sees a failed fetch', async () => {
      sim.scriptFault('createConnector', 'lost-response');
      await assert.rejects(createSms(PHONE_1));
      const [committed] = sim.connectors();
      assert.equal(committed?.number?.numberId, PHONE_1);
      assert.deepEqual(
        sim.calls().map((c) => [c.operationId, c.status, c.fault]),
        [['createConnector', 201, 'lost-response']],
      );
      // A naive retry now collides with what was committed.
      assert.equal((await createSms(PHONE_1)).status, 409);
    });

    it('timeout holds the request until the client gives up, without performing it', async () => {
      sim.scriptFault('createConnector', 'timeout');
      await assert.rejects(
        api('POST', `/workspaces/${WS}/connectors`, smsRequest(PHONE_1), KEY, AbortSignal.timeout(150)),
      );
      assert.deepEqual(sim.connectors(), []);
      assert.equal(sim.calls()[0]?.status, null);
      assert.equal(sim.calls()[0]?.fault, 'timeout');
    });

    it('injects random faults by rate, after auth', async () => {
      sim.setFaults({ serverErrorRate: 1 });
      assert.equal((await api('GET', `/workspaces/${WS}/connectors`, undefined, null)).status, 401);
      assert.equal((await api('GET', `/workspaces/${WS}/connectors`)).status, 503);
      sim.setFaults({ serverErrorRate: 0, rateLimitRate: 1, retryAfterSeconds: 2 });
      const limited = await api('GET', `/workspaces/${WS}/connectors`);
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '2');
      assert.throws(() => sim.setFaults({ serverErrorRate: 1.5 }));
    });

    it('adds latency to API calls only, and drops create replies at lostCreateResponseRate', async () => {
      sim.setFaults({ latencyMs: 120 });
      let started = Date.now();
      assert.equal((await api('GET', `/workspaces/${WS}/connectors`)).status, 200);
      assert.ok(Date.now() - started >= 120, 'API call delayed');
      started = Date.now();
      await fetch(`${sim.url}/_sim/calls`);
      assert.ok(Date.now() - started < 120, '/_sim not delayed');

      sim.setFaults({ latencyMs: 0, lostCreateResponseRate: 1 });
      assert.equal(
        assertError(await createSms(PHONE_1, { arguments: {} }), 422, 'InvalidData'),
        'arguments.phoneNumberId',
      );
      await assert.rejects(createSms(PHONE_1), 'only successful creates lose their reply');
      assert.equal(sim.connectors().length, 1);
    });
  });

  describe('/_sim surface and lifecycle', () => {
    it('exposes state and accepts control requests without auth or faults', async () => {
      sim.setFaults({ serverErrorRate: 1 });
      const number = await fetch(`${sim.url}/_sim/numbers/${PHONE_3}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome: 'error', delayMs: 10 }),
      });
      assert.equal(number.status, 204);
      const faults = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        body: JSON.stringify({ serverErrorRate: 0 }),
      });
      assert.equal(((await faults.json()) as { serverErrorRate: number }).serverErrorRate, 0);
      const bad = await fetch(`${sim.url}/_sim/faults`, {
        method: 'POST',
        body: JSON.stringify({ serverErrorRate: 2 }),
      });
      assert.equal(bad.status, 400);

      const c = bodyOf(Connector, await createSms(PHONE_3));
      await waitFor('error state', () => (sim.connectors()[0]?.state.status === 'error' ? true : undefined));
      const listed = (await (await fetch(`${sim.url}/_sim/connectors`)).json()) as Array<{ id: string }>;
      assert.equal(listed[0]?.id, c.id);
      const calls = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as unknown[];
      assert.equal(calls.length, 1);
      assert.equal((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status, 204);
      assert.deepEqual(sim.connectors(), []);
    });

    it('close() returns promptly even with a held request and pending provisioning', async () => {
      const other = await BirdSimulator.start({ provisioningDelayMs: 60_000 });
      const created = await fetch(`${other.url}/workspaces/${WS}/connectors`, {
        method: 'POST',
        headers: { authorization: `AccessKey ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(smsRequest(PHONE_1)),
      });
      assert.equal(created.status, 201);
      other.scriptFault('listConnectors', 'timeout');
      const held = fetch(`${other.url}/workspaces/${WS}/connectors`, {
        headers: { authorization: `AccessKey ${KEY}` },
      }).then(
        () => 'answered',
        () => 'failed',
      );
      await waitFor('held call', () => (other.calls().length === 2 ? true : undefined));
      const started = Date.now();
      await other.close();
      assert.ok(Date.now() - started < 1000, 'close took too long');
      assert.equal(await held, 'failed');
    });
  });
});
