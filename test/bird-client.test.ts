/**
 * BirdClient on its own, over real HTTP: parsed results, paging, how every kind of failure is classified (and
 * whether it is retryable), requests refused before sending, and that the access key never shows up in an error.
 * The simulator produces almost every case; a throwaway local HTTP server produces what it cannot (broken
 * response bodies, a 502 page, DELETE answering 422).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { BirdClient } from '../src/bird/client';
import { BirdApiError, type BirdErrorKind } from '../src/bird/errors';
import { parseRetryAfter } from '../src/bird/rate-limits/budget';
import type { CreateConnectorRequest } from '../src/bird/schemas';
import { BirdSimulator } from '../src/bird-sim';
import { Secret } from '../src/base/secret';

const ACCESS_KEY = `client-key-${randomUUID()}`;
const WORKSPACE = { id: randomUUID(), organizationId: randomUUID() };
const WS = WORKSPACE.id;
const ORG = WORKSPACE.organizationId;

/** Every error any test provoked, so the last test can prove all kinds went through the secret check. */
const seenKinds = new Set<BirdErrorKind>();

/** The error a call rejects with; also checks the access key appears nowhere in it. */
async function birdError(promise: Promise<unknown>): Promise<BirdApiError> {
  const err = await promise.then(
    (v) => assert.fail(`expected a BirdApiError, got ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BirdApiError, `expected a BirdApiError, got ${inspect(err)}`);
  for (const [what, text] of [
    ['message', err.message],
    ['JSON', JSON.stringify(err)],
    ['inspect', inspect(err, { depth: 10, showHidden: true })],
    ['stack', err.stack ?? ''],
    ['String', String(err)],
  ] as const) {
    assert.ok(!text.includes(ACCESS_KEY), `the access key leaked into the error's ${what}: ${text}`);
  }
  seenKinds.add(err.kind);
  return err;
}

const sms = (
  name: string,
  phoneNumberId = randomUUID(),
  extra: Record<string, unknown> = {},
): CreateConnectorRequest => ({
  connectorTemplateRef: 'sms-messagebird:1',
  name,
  arguments: { phoneNumberId, channelMessageType: '2fa', ...extra },
});

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('BirdClient', function () {
  this.timeout(10_000);

  let sim: BirdSimulator;
  let bird: BirdClient;

  before(async () => {
    sim = await BirdSimulator.start({
      accessKeys: [ACCESS_KEY],
      workspaces: [WORKSPACE],
      provisioningDelayMs: 60_000,
      seed: 3,
    });
    bird = new BirdClient({ baseUrl: `${sim.url}/`, accessKey: new Secret(ACCESS_KEY), timeoutMs: 3000 });
  });
  afterEach(() => {
    sim.setFaults({ retryAfterSeconds: null });
    sim.reset();
  });
  after(() => sim?.close());

  describe('operations against the simulator', () => {
    it('each operation returns parsed data', async () => {
      const phone = randomUUID();
      const created = await bird.createConnector(WS, sms('SMS parsed', phone));
      assert.equal(created.name, 'SMS parsed');
      assert.equal(created.workspaceId, WS);
      assert.equal(created.connectorTemplateRef, 'sms-messagebird:1');
      assert.equal(created.number?.numberId, phone);
      const channelId = created.channel?.channelId;
      assert.ok(channelId);
      assert.ok(!Number.isNaN(Date.parse(created.createdAt)));

      assert.deepEqual(await bird.getConnector(WS, created.id), created);
      const status = await bird.getConnectorStatus(WS, created.id);
      assert.equal(status.channel?.channelId, created.channel?.channelId);
      assert.deepEqual([status.channel?.status, status.channel?.stage], ['pending', 'provisioning']);
      assert.equal(status.number?.numberId, phone);

      const page = await bird.listConnectorsPage(WS);
      assert.deepEqual(
        page.results.map((c) => c.id),
        [created.id],
      );
      assert.equal(page.nextPageToken, undefined);

      const sub = await bird.createWebhookSubscription(ORG, WS, {
        service: 'channels',
        event: 'channel.updated',
        url: 'https://hooks.example.com/bird',
        signingKey: 'client-test-signing-key',
        eventFilters: [{ key: 'channelId', value: channelId }],
      });
      assert.deepEqual([sub.organizationId, sub.workspaceId, sub.service, sub.status], [ORG, WS, 'channels', 'active']);
      assert.deepEqual(sub.eventFilters, [{ key: 'channelId', value: channelId }]);
      assert.equal(sub.signingKey, undefined);

      assert.equal(await bird.deleteConnector(WS, created.id), 'deleted');
      assert.ok(sim.connectors()[0]?.deletedAt, 'the simulator marked it deleted');
    });

    it('listConnectors() walks every page exactly once and honours templateRef', async () => {
      const whatsapp: string[] = [];
      for (let i = 0; i < 25; i++)
        whatsapp.push((await bird.createConnector(WS, { name: `WA ${i}`, connectorTemplateRef: 'whatsapp:1' })).id);
      const telegram: string[] = [];
      for (let i = 0; i < 3; i++)
        telegram.push((await bird.createConnector(WS, { name: `TG ${i}`, connectorTemplateRef: 'telegram:1' })).id);
      const listCalls = () => sim.calls().filter((c) => c.operationId === 'listConnectors');

      const seen: string[] = [];
      for await (const c of bird.listConnectors(WS, { templateRef: 'whatsapp:1', limit: 10 })) {
        assert.equal(c.connectorTemplateRef, 'whatsapp:1');
        seen.push(c.id);
      }
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25, 'no id twice');
      assert.deepEqual([...seen].sort(), [...whatsapp].sort());
      const pages = listCalls();
      assert.equal(pages.length, 3, 'three pages of at most 10');
      assert.ok(pages.every((c) => c.path.includes('templateRef=whatsapp%3A1') && c.path.includes('limit=10')));
      assert.equal(pages.filter((c) => c.path.includes('pageToken=')).length, 2);

      const everything: string[] = [];
      for await (const c of bird.listConnectors(WS, { limit: 100 })) everything.push(c.id);
      assert.deepEqual(everything, [...whatsapp, ...telegram]);
      const reversed: string[] = [];
      for await (const c of bird.listConnectors(WS, { templateRef: 'telegram:1', reverse: true })) reversed.push(c.id);
      assert.deepEqual(reversed, [...telegram].reverse());
    });

    it("deleteConnector returns 'deleted', then 'not-found' for the same id", async () => {
      const c = await bird.createConnector(WS, sms('SMS to delete'));
      assert.equal(await bird.deleteConnector(WS, c.id), 'deleted');
      assert.equal(await bird.deleteConnector(WS, c.id), 'not-found');
      assert.equal(await bird.deleteConnector(WS, randomUUID()), 'not-found');
      assert.deepEqual(
        sim
          .calls()
          .filter((x) => x.operationId === 'deleteConnector')
          .map((x) => x.status),
        [204, 404, 404],
      );
    });
  });

  describe('error classification', () => {
    it("404/409/422 are 'http', not retryable, with Bird's code and message", async () => {
      const tenDlc = randomUUID();
      sim.configureNumber(tenDlc, { outcome: 'active', tenDlc: true });
      const first = await bird.createConnector(WS, sms('SMS taken'));
      const cases: Array<[Promise<unknown>, number, string, RegExp]> = [
        [bird.getConnector(WS, randomUUID()), 404, 'ConnectorNotFound', /connector .* not found/],
        [bird.listConnectorsPage(randomUUID()), 404, 'WorkspaceNotFound', /workspace .* not found/],
        [bird.createConnector(WS, sms('SMS taken')), 409, 'ConnectorAlreadyExists', /already exists/],
        [bird.createConnector(WS, sms('SMS 10DLC', tenDlc)), 422, 'InvalidData', /useCaseId/],
        [
          bird.createWebhookSubscription(randomUUID(), WS, {
            service: 'channels',
            event: 'channel.updated',
            url: 'https://hooks.example.com/x',
          }),
          422,
          'WorkspaceNotFound',
          /not found in organization/,
        ],
      ];
      for (const [call, status, code, message] of cases) {
        const err = await birdError(call);
        assert.equal(err.kind, 'http');
        assert.equal(err.status, status);
        assert.equal(err.retryable, false, `${status} must not be retried`);
        assert.equal(err.code, code);
        assert.match(err.birdMessage ?? '', message);
        assert.equal(err.retryAfterMs, undefined);
        assert.match(err.message, new RegExp(`HTTP ${status} ${code}: `));
        assert.ok(err.message.includes(err.birdMessage!), 'the message carries what Bird said');
      }
      assert.ok(first.id);
    });

    it('429 with Retry-After is retryable with retryAfterMs = seconds * 1000; without it retryAfterMs is undefined', async () => {
      sim.setFaults({ retryAfterSeconds: 3 });
      sim.scriptFault('getConnector', '429-retry-after');
      const withHeader = await birdError(bird.getConnector(WS, randomUUID()));
      assert.deepEqual(
        [withHeader.kind, withHeader.status, withHeader.retryable, withHeader.retryAfterMs, withHeader.code],
        ['http', 429, true, 3000, 'TooManyRequests'],
      );

      sim.scriptFault('listConnectors', '429');
      const without = await birdError(bird.listConnectorsPage(WS));
      assert.deepEqual(
        [without.kind, without.status, without.retryable, without.retryAfterMs],
        ['http', 429, true, undefined],
      );
    });

    it('503 and 500 are retryable', async () => {
      sim.scriptFault('getConnectorStatus', '503');
      sim.scriptFault('createLegacyWebhookSubscription', '500');
      const unavailable = await birdError(bird.getConnectorStatus(WS, randomUUID()));
      assert.deepEqual(
        [unavailable.kind, unavailable.status, unavailable.retryable, unavailable.code],
        ['http', 503, true, 'ServiceUnavailable'],
      );
      const internal = await birdError(
        bird.createWebhookSubscription(ORG, WS, {
          service: 'channels',
          event: 'channel.created',
          url: 'https://hooks.example.com/x',
        }),
      );
      assert.deepEqual(
        [internal.kind, internal.status, internal.retryable, internal.code],
        ['http', 500, true, 'InternalServerError'],
      );
    });

    it("a request Bird holds past timeoutMs is 'timeout', retryable, and was not performed", async () => {
      const impatient = new BirdClient({ baseUrl: sim.url, accessKey: new Secret(ACCESS_KEY), timeoutMs: 300 });
      sim.scriptFault('createConnector', 'timeout');
      const started = Date.now();
      const err = await birdError(impatient.createConnector(WS, sms('SMS held')));
      const elapsed = Date.now() - started;
      assert.deepEqual([err.kind, err.retryable, err.status], ['timeout', true, undefined]);
      assert.match(err.message, /timed out \(no reply within 300 ms\)/);
      assert.ok(elapsed >= 250 && elapsed < 2000, `gave up after ${elapsed} ms`);
      assert.deepEqual(sim.connectors(), []);
    });

    it("connection refused is 'network', retryable", async () => {
      const nowhere = new BirdClient({
        baseUrl: `http://127.0.0.1:${await closedPort()}`,
        accessKey: new Secret(ACCESS_KEY),
      });
      const err = await birdError(nowhere.getConnector(WS, randomUUID()));
      assert.deepEqual([err.kind, err.retryable, err.status], ['network', true, undefined]);
      assert.match(err.message, /could not reach Bird: ECONNREFUSED/);
    });

    it("a lost response is 'network', retryable, and the connector was committed anyway", async () => {
      sim.scriptFault('createConnector', 'lost-response');
      const err = await birdError(bird.createConnector(WS, sms('SMS lost reply')));
      assert.deepEqual([err.kind, err.retryable, err.status], ['network', true, undefined]);
      const committed = sim.connectors();
      assert.deepEqual(
        committed.map((c) => c.name),
        ['SMS lost reply'],
      );
      assert.equal(committed[0]?.deletedAt, undefined);
      assert.deepEqual(
        sim.calls().map((c) => [c.operationId, c.status, c.fault]),
        [['createConnector', 201, 'lost-response']],
      );
    });

    it("a request that breaks the client's schema is 'invalid-request' and never sent", async () => {
      const unknownField = await birdError(
        bird.createConnector(WS, { ...sms('SMS colour'), colour: 'blue' } as CreateConnectorRequest),
      );
      assert.deepEqual(
        [unknownField.kind, unknownField.retryable, unknownField.status],
        ['invalid-request', false, undefined],
      );
      assert.match(unknownField.message, /colour/);

      const httpUrl = await birdError(
        bird.createWebhookSubscription(ORG, WS, {
          service: 'channels',
          event: 'channel.updated',
          url: 'http://hooks.example.com/x',
        }),
      );
      assert.equal(httpUrl.kind, 'invalid-request');
      assert.match(httpUrl.message, /url/);
      const wrongFilter = await birdError(
        bird.createWebhookSubscription(ORG, WS, {
          service: 'templates',
          event: 'template.updated',
          url: 'https://hooks.example.com/x',
          eventFilters: [{ key: 'channelId', value: randomUUID() }],
        }),
      );
      assert.equal(wrongFilter.kind, 'invalid-request');
      assert.match(wrongFilter.message, /not allowed for service "templates"/);

      assert.deepEqual(sim.calls(), [], 'no HTTP request reached the simulator');
    });

    it('a wrong access key is a non-retryable 401 and the rejected key is not echoed', async () => {
      const wrongKey = `wrong-${ACCESS_KEY}`;
      const stranger = new BirdClient({ baseUrl: sim.url, accessKey: new Secret(wrongKey) });
      const err = await birdError(stranger.listConnectorsPage(WS));
      assert.deepEqual([err.kind, err.status, err.retryable, err.code], ['http', 401, false, 'Unauthorized']);
      assert.ok(!inspect(err).includes(wrongKey));
    });
  });

  describe('responses the simulator cannot produce (local stub server)', () => {
    let stub: Server;
    let stubUrl: string;
    let answer: (req: IncomingMessage, res: ServerResponse) => void;
    let seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers'] }>;
    let client: BirdClient;

    before(async () => {
      stub = createServer((req, res) => {
        seen.push({ method: req.method, url: req.url, headers: req.headers });
        req.resume();
        req.on('end', () => answer(req, res));
      });
      await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
      stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
      client = new BirdClient({ baseUrl: stubUrl, accessKey: new Secret(ACCESS_KEY) });
    });
    beforeEach(() => {
      seen = [];
    });
    after(async () => {
      stub.closeAllConnections();
      await new Promise<void>((resolve) => stub.close(() => resolve()));
    });

    const reply =
      (status: number, body: string, contentType = 'application/json') =>
      (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(status, body ? { 'content-type': contentType } : {});
        res.end(body);
      };

    it("a 200 whose body breaks the schema is 'contract', not retryable, naming the fields", async () => {
      answer = reply(200, JSON.stringify({ id: 'not-a-uuid', name: 'x' }));
      const err = await birdError(client.getConnector(WS, randomUUID()));
      assert.deepEqual([err.kind, err.retryable, err.status], ['contract', false, 200]);
      assert.match(err.message, /breaks the API contract/);
      assert.match(err.message, /\bid\b/);
      assert.match(err.message, /createdAt/);
    });

    it("a 200 with a non-JSON or empty body is 'contract'", async () => {
      answer = reply(200, '<html>Bad gateway</html>', 'text/html');
      const html = await birdError(client.getConnectorStatus(WS, randomUUID()));
      assert.deepEqual([html.kind, html.retryable], ['contract', false]);
      assert.match(html.message, /body is not JSON/);

      answer = reply(200, '');
      const empty = await birdError(client.listConnectorsPage(WS));
      assert.deepEqual([empty.kind, empty.retryable], ['contract', false]);
      assert.match(empty.message, /body is not JSON/);
    });

    it('a 502 with an HTML body is a retryable http error without a Bird code', async () => {
      answer = reply(502, '<html>upstream down</html>', 'text/html');
      const err = await birdError(client.getConnector(WS, randomUUID()));
      assert.deepEqual(
        [err.kind, err.status, err.retryable, err.code, err.birdMessage],
        ['http', 502, true, undefined, undefined],
      );
    });

    it('deleteConnector 422 (documented, not simulated) is thrown as a non-retryable http error, not "not-found"', async () => {
      answer = reply(
        422,
        JSON.stringify({ code: 'TemplateStillReferenced', message: 'connector template still referenced' }),
      );
      const err = await birdError(client.deleteConnector(WS, randomUUID()));
      assert.deepEqual(
        [err.kind, err.status, err.retryable, err.code],
        ['http', 422, false, 'TemplateStillReferenced'],
      );
      assert.equal(seen[0]?.method, 'DELETE');
    });

    it('tolerates response fields Bird adds later', async () => {
      const connector = { id: randomUUID(), name: 'x', createdAt: new Date().toISOString(), launchedBy: 'someone' };
      answer = reply(201, JSON.stringify(connector));
      const created = await client.createConnector(WS, { name: 'x', connectorTemplateRef: 'whatsapp:1' });
      assert.equal(created.id, connector.id);
    });

    it('sends AccessKey auth and JSON headers, and encodes ids so they stay one path segment', async () => {
      const connector = JSON.stringify({ id: randomUUID(), name: 'x', createdAt: new Date().toISOString() });
      answer = (req, res) => reply(req.method === 'POST' ? 201 : 200, connector)(req, res);
      await client.getConnector(WS, 'a/b?c=d#e');
      await client.createConnector(WS, { name: 'x', connectorTemplateRef: 'whatsapp:1' });
      const [get, post] = seen;
      assert.equal(get?.url, `/workspaces/${WS}/connectors/a%2Fb%3Fc%3Dd%23e`);
      assert.equal(get?.headers.authorization, `AccessKey ${ACCESS_KEY}`);
      assert.equal(get?.headers.accept, 'application/json');
      assert.equal(get?.headers['content-type'], undefined);
      assert.equal(post?.method, 'POST');
      assert.equal(post?.headers['content-type'], 'application/json');
    });
  });

  // A suite's own tests run before its nested suites, so this needs a describe of its own, after the others.
  describe('secrets', () => {
    it('every kind of error went through the access-key check', () => {
      assert.deepEqual([...seenKinds].sort(), ['contract', 'http', 'invalid-request', 'network', 'timeout']);
    });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 2, 3, 4, 5);

  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 120 ', now), 120_000);
    assert.equal(parseRetryAfter('1.5', now), 1500);
  });

  it('reads an HTTP-date, never negative', () => {
    assert.equal(parseRetryAfter(new Date(now + 30_000).toUTCString(), now), 30_000);
    assert.equal(parseRetryAfter('Thu, 02 Jan 2025 03:05:05 GMT', now), 60_000);
    assert.equal(parseRetryAfter(new Date(now - 10_000).toUTCString(), now), 0);
  });

  it('ignores a missing or unreadable header', () => {
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('', now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});
