/**
 * Payload encryption: the AES-256-GCM codec (round trip, key rotation, clear errors for a wrong or missing key),
 * its configuration from the environment, the codec server (decodes for an authorised caller only, CORS for the UI
 * origin), and end to end: with the codec on, a real provisioning's raw history on the server holds neither the
 * connector name nor the phone number id in any payload.
 */
import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { BirdClient } from '../src/bird/client';
import { BirdSimulator } from '../src/bird-sim';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadKeyError } from '../src/codec/aes-gcm-codec';
import { dataConverterFromEnv, payloadCodecFromEnv } from '../src/codec/env';
import { buildCodecServer } from '../src/codec/server';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { ConfigError } from '../src/config/app-config';
import { Secret } from '../src/base/secret';
import { staticSecretStore } from '../src/config/secrets';
import { createProvisioningWorker, type ProvisioningWorker } from '../src/worker/factory';
import { temporal } from './helpers/temporal';

const key = () => randomBytes(32);
const json = (v: unknown) => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(v)),
});
const text = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());

describe('payload codec (AES-256-GCM)', () => {
  it('round-trips, names its key id in the metadata and hides the content', async () => {
    const codec = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: new Map([['k1', key()]]) });
    const [encoded] = await codec.encode([json({ name: 'Sales SMS' })]);
    assert.equal(text(encoded!.metadata!.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encoded!.metadata![KEY_ID_METADATA]), 'k1');
    assert.ok(!Buffer.from(encoded!.data!).toString('latin1').includes('Sales SMS'));
    const [decoded] = await codec.decode([encoded!]);
    assert.deepEqual(JSON.parse(text(decoded!.data)), { name: 'Sales SMS' });
    const [again] = await codec.encode([json({ name: 'Sales SMS' })]);
    assert.notDeepEqual(Buffer.from(again!.data!), Buffer.from(encoded!.data!), 'a fresh IV per payload');
  });

  it('rotates: payloads of the old key still decode once a new key is active', async () => {
    const k1 = key();
    const old = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: new Map([['k1', k1]]) });
    const [written] = await old.encode([json('from before the rotation')]);
    const rotated = new AesGcmPayloadCodec({
      activeKeyId: 'k2',
      keys: new Map([
        ['k1', k1],
        ['k2', key()],
      ]),
    });
    assert.equal(JSON.parse(text((await rotated.decode([written!]))[0]!.data)), 'from before the rotation');
    assert.equal(text((await rotated.encode([json(1)]))[0]!.metadata![KEY_ID_METADATA]), 'k2');
  });

  it('fails clearly with a wrong key, an unknown key id or a relabelled payload', async () => {
    const [written] = await new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: new Map([['k1', key()]]) }).encode([
      json('x'),
    ]);
    const wrongKey = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: new Map([['k1', key()]]) });
    await assert.rejects(
      wrongKey.decode([written!]),
      (e: Error) => e instanceof PayloadKeyError && /does not decrypt with key "k1"/.test(e.message),
    );
    const otherId = new AesGcmPayloadCodec({ activeKeyId: 'k9', keys: new Map([['k9', key()]]) });
    await assert.rejects(otherId.decode([written!]), /encrypted with key "k1", which is not configured here/);
    const relabelled = {
      ...written!,
      metadata: { ...written!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k9') },
    };
    await assert.rejects(otherId.decode([relabelled]), /does not decrypt with key "k9"/);
  });

  it('is off by default and configured by one variable, naming each bad one', () => {
    assert.equal(payloadCodecFromEnv({}), undefined);
    // Off: only large payloads are compressed.
    assert.deepEqual(
      dataConverterFromEnv({}).payloadCodecs?.map((c) => c.constructor.name),
      ['GzipLargePayloadCodec'],
    );
    const k = key().toString('base64');
    assert.ok(
      payloadCodecFromEnv({ PAYLOAD_ENCRYPTION_KEY_ID: 'k2026', PAYLOAD_ENCRYPTION_KEY_k2026: k }) instanceof
        AesGcmPayloadCodec,
    );
    assert.throws(
      () => payloadCodecFromEnv({ PAYLOAD_ENCRYPTION_KEY_ID: 'k2026' }),
      (e: ConfigError) => /PAYLOAD_ENCRYPTION_KEY_k2026: required/.test(e.message),
    );
    assert.throws(
      () => payloadCodecFromEnv({ PAYLOAD_ENCRYPTION_KEY_ID: 'k1', PAYLOAD_ENCRYPTION_KEY_k1: 'c2hvcnQ=' }),
      (e: ConfigError) =>
        /PAYLOAD_ENCRYPTION_KEY_k1: must be base64 of exactly 32 bytes/.test(e.message) &&
        !e.message.includes('c2hvcnQ='),
    );
    assert.throws(
      () => payloadCodecFromEnv({ PAYLOAD_ENCRYPTION_KEY_ID: '../etc' }),
      /PAYLOAD_ENCRYPTION_KEY_ID: must be letters/,
    );
    assert.throws(() => payloadCodecFromEnv({ PAYLOAD_ENCRYPTION_KEY_ID: 'ID' }), /not "ID"/);
  });
});

describe('codec server', () => {
  const token = randomBytes(24).toString('base64url');
  const codec = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: new Map([['k1', key()]]) });
  const app = buildCodecServer({ codec, authToken: new Secret(token), corsOrigins: ['http://ui.example:8233'] });
  after(() => app.close());

  async function encodedBody(value: unknown) {
    const [p] = await codec.encode([json(value)]);
    return {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(p!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p!.data!).toString('base64'),
        },
      ],
    };
  }

  it('decodes for an authorised caller', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: { authorization: `Bearer ${token}`, 'x-namespace': 'default' },
      payload: await encodedBody({ name: 'Sales SMS' }),
    });
    assert.equal(res.statusCode, 200);
    const [p] = res.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>().payloads;
    assert.equal(Buffer.from(p!.metadata.encoding!, 'base64').toString(), 'json/plain');
    assert.deepEqual(JSON.parse(Buffer.from(p!.data, 'base64').toString()), { name: 'Sales SMS' });
  });

  it('encodes for an authorised caller (what `temporal workflow start` with a codec endpoint uses)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/encode',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        payloads: [
          {
            metadata: { encoding: Buffer.from('json/plain').toString('base64') },
            data: Buffer.from('"x"').toString('base64'),
          },
        ],
      },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(
      Buffer.from(
        res.json<{ payloads: { metadata: Record<string, string> }[] }>().payloads[0]!.metadata.encoding!,
        'base64',
      ).toString(),
      ENCRYPTED_ENCODING,
    );
  });

  for (const [who, headers] of [
    ['no credentials', {}],
    ['a wrong token', { authorization: 'Bearer guess' }],
    ['the token without the scheme', { authorization: token }],
  ] as const) {
    it(`refuses a caller with ${who}`, async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/decode',
        headers,
        payload: await encodedBody('secret stuff'),
      });
      assert.equal(res.statusCode, 401);
      assert.ok(!res.body.includes('secret stuff'));
    });
  }

  it("answers CORS preflights for the UI's origin only", async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/decode',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const ok = await preflight('http://ui.example:8233');
    assert.equal(ok.headers['access-control-allow-origin'], 'http://ui.example:8233');
    assert.match(String(ok.headers['access-control-allow-headers']), /authorization/);
    const other = await preflight('http://evil.example');
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('reports a payload it cannot decrypt as 422 with the reason', async () => {
    const foreign = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: new Map([['k1', key()]]) });
    const [p] = await foreign.encode([json('x')]);
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(p!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p!.data!).toString('base64'),
        },
      ],
    };
    const res = await app.inject({
      method: 'POST',
      url: '/decode',
      headers: { authorization: `Bearer ${token}` },
      payload: body,
    });
    assert.equal(res.statusCode, 422);
    assert.match(res.json<{ error: string }>().error, /does not decrypt with key "k1"/);
  });
});

describe('encrypted provisioning end to end', function () {
  this.timeout(120_000);
  const accessKey = `sim-key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const taskQueue = `codec-${randomUUID()}`;
  const env = { PAYLOAD_ENCRYPTION_KEY_ID: 'k1', PAYLOAD_ENCRYPTION_KEY_k1: key().toString('base64') };
  let sim: BirdSimulator;
  let worker: ProvisioningWorker;
  let running: Promise<void>;
  let client: Client;

  before(async () => {
    const harness = await temporal();
    sim = await BirdSimulator.start({
      provisioningDelayMs: 200,
      accessKeys: [accessKey],
      workspaces: [{ id: workspaceId, organizationId }],
    });
    const dataConverter = dataConverterFromEnv(env);
    client = new Client({ connection: harness.env.connection, namespace: 'default', dataConverter });
    worker = await createProvisioningWorker({
      connection: harness.env.nativeConnection,
      namespace: 'default',
      taskQueue,
      bird: new BirdClient({ baseUrl: sim.url, accessKey: new Secret(accessKey) }),
      secrets: staticSecretStore({ WEBHOOK_SIGNING_KEY: `signing-${randomUUID()}` }),
      workflowBundle: harness.workflowBundle,
      dataConverter,
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await sim?.close();
  });

  it('keeps the connector name and the phone number id out of every payload (and summary) in the raw history', async () => {
    const name = `Encrypted SMS ${randomUUID()}`;
    const phoneNumberId = randomUUID();
    const input = {
      workspaceId,
      organizationId,
      connector: {
        connectorTemplateRef: 'sms-messagebird:1',
        name,
        arguments: { phoneNumberId, channelMessageType: 'transactional' },
      },
      readiness: { mode: 'poll', initialPollInterval: '100ms', deadline: '20s' },
      subscriptions: [
        {
          service: 'channels',
          event: 'channel.updated',
          url: 'https://hooks.example.com/enc',
          signingKeyRef: 'WEBHOOK_SIGNING_KEY',
        },
      ],
    };
    const { workflowId } = await parseAndStartProvisioning(client, input, { taskQueue });
    const outcome = await awaitResult(client, workflowId);
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.ok(outcome.ok && outcome.result.connectorId, 'the codec-aware client decodes the result');

    // The raw history as the server stores it (a client without the codec would see the same).
    const history = JSON.parse(historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory())) as {
      events: Record<string, unknown>[];
    };
    const payloads: { metadata?: Record<string, string>; data?: string }[] = [];
    const collect = (node: unknown, path: string[]): void => {
      if (Array.isArray(node)) return node.forEach((n) => collect(n, path));
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        // Search attributes are never encrypted (the server indexes them): they hold Bird's UUIDs, by design.
        if (k === 'searchAttributes' || k === 'indexedFields') continue;
        // A local activity's marker keeps the SDK's own bookkeeping (activity type, attempt, times) in a plain
        // `data` payload; its `result` is the user's and is encrypted. The raw-text check below covers `data` too.
        if (k === 'data' && path.at(-1) === 'details' && path.includes('markerRecordedEventAttributes')) continue;
        // A patch marker (patched()) holds only the patch id and a flag, written by the SDK's core as plain JSON.
        if (k === 'patch-data' && path.at(-1) === 'details' && path.includes('markerRecordedEventAttributes')) continue;
        if (k === 'payloads' && Array.isArray(v)) payloads.push(...(v as typeof payloads));
        else collect(v, [...path, k]);
      }
    };
    collect(history.events, []);
    assert.ok(payloads.length >= 6, `payloads found: ${payloads.length}`);
    // User metadata (the run's summary and details, which name the channel) is one payload each, not a list.
    const summary = (history.events[0] as { userMetadata?: { summary?: { metadata?: Record<string, string> } } })
      .userMetadata?.summary;
    assert.ok(summary, 'the run has a static summary');
    payloads.push(summary);
    const encodings = new Set(payloads.map((p) => Buffer.from(p.metadata?.encoding ?? '', 'base64').toString()));
    assert.deepEqual([...encodings], [ENCRYPTED_ENCODING]);
    // Outside payloads, only the workflow id and the search attributes may name the number's id (a Bird UUID, not
    // the E.164 number): both stay readable by design, so runs can be found and de-duplicated.
    const raw = JSON.stringify(history.events.map((e) => stripIndexed(e)));
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    for (const needle of [name, phoneNumberId]) {
      assert.ok(!raw.includes(needle), `${needle} appears in the raw history`);
      // Base64 at each of the three alignments a needle can have inside a longer base64 string.
      for (const pad of ['', 'x', 'xx'])
        assert.ok(!raw.includes(b64(pad + needle).slice(4, 24)), `${needle} appears base64-encoded in the raw history`);
    }
  });
});

function stripIndexed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripIndexed);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'searchAttributes' && k !== 'workflowId')
      .map(([k, v]) => [k, stripIndexed(v)]),
  );
}
