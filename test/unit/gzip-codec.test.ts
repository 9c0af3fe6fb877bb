/** Large payloads compressed: a plan of 12,000 numbers fits Temporal's 2 MiB once compressed, small ones stay as they are. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../src/codec/aes-gcm-codec';
import { chainCodecs, GZIP_ENCODING, GzipLargePayloadCodec } from '../../src/codec/gzip-codec';
import { taggedConnectorName } from '../../src/domain/idempotency';
import { nameWithInventory, planWorkspace } from '../../src/domain/plan';

const TEMPORAL_LIMIT = 2 * 1024 * 1024;
const encodingOf = (p: { metadata?: Record<string, Uint8Array> | null }) =>
  Buffer.from(p.metadata?.[METADATA_ENCODING_KEY] ?? []).toString();

function planOf(numbers: number) {
  const entries = Array.from({ length: numbers }, (_, i) => ({ phoneNumberId: randomUUID(), line: i + 2 }));
  const connectors = entries.map((e, i) => ({
    connectorId: randomUUID(),
    name: taggedConnectorName(nameWithInventory('Team A', 'team-a'), `prov-${i.toString(16).padStart(16, '0')}`),
    numberId: e.phoneNumberId,
    status: 'ok',
    stage: 'active',
  }));
  return planWorkspace({ inventory: 'team-a', workspaceId: randomUUID(), entries, connectors });
}

describe('large payloads compressed (gzip codec)', () => {
  const codec = new GzipLargePayloadCodec();

  it('leaves a payload under the threshold as it is', async () => {
    const small = defaultPayloadConverter.toPayload({ workspaceId: randomUUID(), inventory: 'team-a' });
    const [out] = await codec.encode([small]);
    assert.equal(out, small);
    assert.equal((await codec.decode([small]))[0], small);
  });

  it("a plan of 12,000 numbers: over Temporal's 2 MiB as JSON, about a quarter of it compressed, decoded whole", async () => {
    const plan = planOf(12_000);
    const payload = defaultPayloadConverter.toPayload(plan);
    assert.ok(payload.data!.length > TEMPORAL_LIMIT, `${payload.data!.length} bytes as JSON`);
    const [encoded] = await codec.encode([payload]);
    assert.equal(encodingOf(encoded!), GZIP_ENCODING);
    assert.ok(encoded!.data!.length < payload.data!.length / 3, `${encoded!.data!.length} bytes compressed`);
    const [decoded] = await codec.decode([encoded!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), JSON.parse(JSON.stringify(plan)));
  });

  it('compresses before it encrypts, and decodes in reverse', async () => {
    const aes = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: new Map([['k1', randomBytes(32)]]) });
    const both = chainCodecs([codec, aes]);
    const payload = defaultPayloadConverter.toPayload(planOf(3_000));
    const [encoded] = await both.encode([payload]);
    assert.equal(encodingOf(encoded!), ENCRYPTED_ENCODING);
    assert.ok(encoded!.data!.length < payload.data!.length / 3, 'the ciphertext holds the compressed payload');
    const [viaAes] = await aes.decode([encoded!]);
    assert.equal(encodingOf(viaAes!), GZIP_ENCODING);
    assert.deepEqual(Buffer.from((await both.decode([encoded!]))[0]!.data!), Buffer.from(payload.data!));
  });
});
