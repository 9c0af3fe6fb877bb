/**
 * Activities on their own, against the simulator over real HTTP (MockActivityEnvironment supplies the activity
 * context, e.g. the attempt number): idempotent create, compensation by tag, failure classification.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createActivities, FailureType } from '../src/activities';
import { BirdClient } from '../src/bird/client';
import { BirdSimulator } from '../src/bird-sim';
import { idempotencyTag, taggedConnectorName } from '../src/domain/idempotency';
import type { ConnectorSpec } from '../src/domain/provisioning-input';
import { Secret } from '../src/secret';
import { staticSecretStore } from '../src/secrets';

describe('activities against the simulator', () => {
  const accessKey = `key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  let sim: BirdSimulator;
  let activities: ReturnType<typeof createActivities>;

  before(async () => {
    sim = await BirdSimulator.start({ accessKeys: [accessKey], workspaces: [{ id: workspaceId, organizationId }], provisioningDelayMs: 50 });
    const bird = new BirdClient({ baseUrl: sim.url, accessKey: new Secret(accessKey), timeoutMs: 2_000 });
    activities = createActivities({ bird, secrets: staticSecretStore({ SIGNING: 'the-signing-key', SMS_SECURITY: '{"basic":{"token":"t0k3n"}}', BAD_JSON: 'nope' }) });
  });
  after(() => sim.close());
  beforeEach(() => sim.reset());

  const spec = (over: Partial<ConnectorSpec> = {}): ConnectorSpec => ({
    connectorTemplateRef: 'sms-messagebird:1',
    name: 'Activity test',
    arguments: { phoneNumberId: randomUUID(), channelMessageType: '2fa' },
    ...over,
  });
  // Failures are expected here; the activity logger would print each one.
  const env = (n: number) => new MockActivityEnvironment({ attempt: n }, { logger: new DefaultLogger('ERROR') });
  /** Runs one activity as attempt n (run()'s own generics lose the result type). */
  const attempt = (n: number) => ({
    run: <A, R>(fn: (arg: A) => Promise<R>, arg: A): Promise<R> => env(n).run(fn, arg),
  });
  const tag = () => idempotencyTag(randomUUID());

  async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof ApplicationFailure, `expected ApplicationFailure, got ${String(err)}`);
      return err;
    }
    assert.fail('expected a failure');
  }

  it('creates the connector named with its idempotency tag', async () => {
    const t = tag();
    const created = await attempt(1).run(activities.createConnector, { workspaceId, connector: spec(), idempotencyTag: t });
    assert.equal(created.adopted, false);
    const [c] = sim.connectors();
    assert.equal(c!.id, created.connectorId);
    assert.equal(c!.name, taggedConnectorName('Activity test', t));
    assert.equal(created.channelId, c!.channelId);
  });

  it('on a retry, adopts what an earlier attempt created instead of creating again', async () => {
    const t = tag();
    const connector = spec();
    const first = await attempt(1).run(activities.createConnector, { workspaceId, connector, idempotencyTag: t });
    const retry = await attempt(2).run(activities.createConnector, { workspaceId, connector, idempotencyTag: t });
    assert.equal(retry.adopted, true);
    assert.equal(retry.connectorId, first.connectorId);
    assert.equal(sim.calls().filter((c) => c.operationId === 'createConnector').length, 1, 'no second POST');
  });

  it("a 409 for someone else's connector is ConnectorAlreadyExists, non-retryable", async () => {
    const connector = spec();
    await attempt(1).run(activities.createConnector, { workspaceId, connector, idempotencyTag: tag() });
    const f = await failure(attempt(1).run(activities.createConnector, { workspaceId, connector, idempotencyTag: tag() }));
    assert.equal(f.type, FailureType.connectorAlreadyExists);
    assert.equal(f.nonRetryable, true);
  });

  it('resolves securityArgumentsRef inside the activity; a malformed secret fails without showing it', async () => {
    await attempt(1).run(activities.createConnector, { workspaceId, connector: spec({ securityArgumentsRef: 'SMS_SECURITY' }), idempotencyTag: tag() });
    const sent = sim.calls().find((c) => c.operationId === 'createConnector')!.body as { securityArguments: unknown };
    assert.deepEqual(sent.securityArguments, { basic: { token: 't0k3n' } });
    const bad = await failure(attempt(1).run(activities.createConnector, { workspaceId, connector: spec({ securityArgumentsRef: 'BAD_JSON' }), idempotencyTag: tag() }));
    assert.equal(bad.type, FailureType.invalidSecret);
    assert.ok(!bad.message.includes('nope'));
    const missing = await failure(attempt(1).run(activities.createConnector, { workspaceId, connector: spec({ securityArgumentsRef: 'MISSING' }), idempotencyTag: tag() }));
    assert.equal(missing.type, FailureType.secretNotFound);
    assert.equal(missing.nonRetryable, true);
  });

  it('compensation finds a connector by its tag when the id is unknown, and 404 counts as done', async () => {
    const t = tag();
    const created = await attempt(1).run(activities.createConnector, { workspaceId, connector: spec(), idempotencyTag: t });
    await attempt(1).run(activities.createConnector, { workspaceId, connector: spec(), idempotencyTag: tag() }); // someone else's
    const deleted = await attempt(1).run(activities.deleteConnector, { workspaceId, idempotencyTag: t, templateRef: 'sms-messagebird:1' });
    assert.deepEqual(deleted, { outcome: 'deleted', connectorId: created.connectorId });
    assert.equal(sim.connectors().filter((c) => !c.deletedAt).length, 1, "the other connector is untouched");
    const again = await attempt(1).run(activities.deleteConnector, { workspaceId, connectorId: created.connectorId, idempotencyTag: t });
    assert.equal(again.outcome, 'already-gone');
    const never = await attempt(1).run(activities.deleteConnector, { workspaceId, idempotencyTag: tag() });
    assert.equal(never.outcome, 'never-created');
  });

  it('reads channel readiness', async () => {
    const created = await attempt(1).run(activities.createConnector, { workspaceId, connector: spec(), idempotencyTag: tag() });
    const early = await attempt(1).run(activities.getChannelReadiness, { workspaceId, connectorId: created.connectorId });
    assert.equal(early.channelId, created.channelId);
    assert.notEqual(early.status, 'error');
    const f = await failure(attempt(1).run(activities.getChannelReadiness, { workspaceId, connectorId: randomUUID() }));
    assert.equal(f.type, FailureType.rejected);
    assert.equal(f.nonRetryable, true);
  });

  it('adds the channelId filter to a channel subscription and never returns the signing key', async () => {
    const channelId = randomUUID();
    const sub = await attempt(1).run(activities.createChannelSubscription, {
      organizationId,
      workspaceId,
      channelId,
      subscription: { service: 'channels', event: 'channel.updated', url: 'https://hooks.example.com/a', eventFilters: [{ key: 'channelStatus', value: 'active' }], signingKeyRef: 'SIGNING' },
    });
    assert.ok(!JSON.stringify(sub).includes('the-signing-key'));
    const [stored] = sim.subscriptions();
    assert.equal(stored!.id, sub.subscriptionId);
    assert.deepEqual(stored!.eventFilters, [{ key: 'channelStatus', value: 'active' }, { key: 'channelId', value: channelId }]);
    assert.equal(stored!.hasSigningKey, true);
  });

  it('turns 429 Retry-After into nextRetryDelay and 5xx into a retryable failure', async () => {
    sim.setFaults({ retryAfterSeconds: 7 });
    sim.scriptFault('createConnector', '429-retry-after', 1);
    const limited = await failure(attempt(1).run(activities.createConnector, { workspaceId, connector: spec(), idempotencyTag: tag() }));
    assert.equal(limited.type, FailureType.rateLimited);
    assert.equal(limited.nonRetryable, false);
    assert.equal(limited.nextRetryDelay, 7_000);
    sim.scriptFault('createConnector', '503', 1);
    const server = await failure(attempt(1).run(activities.createConnector, { workspaceId, connector: spec(), idempotencyTag: tag() }));
    assert.equal(server.type, FailureType.serverError);
    assert.equal(server.nonRetryable, false);
    assert.ok(!server.message.includes(accessKey));
  });
});
