/**
 * Activities on their own, against the simulator over real HTTP (MockActivityEnvironment supplies the activity
 * context, e.g. the attempt number): idempotent create, compensation by tag, failure classification.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createActivities } from '../src/activities';
import { FailureType } from '../src/domain/failure-types';
import { BirdClient } from '../src/bird/client';
import { BirdSimulator } from '../src/bird-sim';
import { idempotencyTag, taggedConnectorName, type Ownership } from '../src/domain/idempotency';
import type { ConnectorSpec } from '../src/domain/provisioning-input';
import { Secret } from '../src/base/secret';
import { staticSecretStore } from '../src/config/secrets';

describe('activities against the simulator', () => {
  const accessKey = `key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  let sim: BirdSimulator;
  let activities: ReturnType<typeof createActivities>;

  before(async () => {
    sim = await BirdSimulator.start({
      accessKeys: [accessKey],
      workspaces: [{ id: workspaceId, organizationId }],
      provisioningDelayMs: 50,
    });
    const bird = new BirdClient({ baseUrl: sim.url, accessKey: new Secret(accessKey), timeoutMs: 2_000 });
    activities = createActivities({
      bird,
      secrets: staticSecretStore({
        SIGNING: 'the-signing-key',
        SMS_SECURITY: '{"basic":{"token":"t0k3n"}}',
        BAD_JSON: 'nope',
      }),
    });
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
  const env = (n: number, heartbeatDetails?: unknown) =>
    new MockActivityEnvironment({ attempt: n, heartbeatDetails }, { logger: new DefaultLogger('ERROR') });
  /** Runs one activity as attempt n (run()'s own generics lose the result type). */
  const attempt = (n: number, heartbeatDetails?: unknown) => ({
    run: <A, R>(fn: (arg: A) => Promise<R>, arg: A): Promise<R> => env(n, heartbeatDetails).run(fn, arg),
  });
  const own = (connector: ConnectorSpec, t = tag()): Ownership => ({
    tag: t,
    templateRef: connector.connectorTemplateRef,
    phoneNumberId: (connector.arguments as { phoneNumberId?: string } | undefined)?.phoneNumberId,
  });
  async function created(p: Promise<Awaited<ReturnType<typeof activities.createConnector>>>) {
    const outcome = await p;
    assert.equal(outcome.outcome, 'created');
    assert.ok(outcome.outcome === 'created');
    return outcome;
  }
  const creates = () => sim.calls().filter((c) => c.operationId === 'createConnector');
  const lists = () => sim.calls().filter((c) => c.operationId === 'listConnectors');
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
    const connector = spec();
    const ownership = own(connector);
    const made = await created(attempt(1).run(activities.createConnector, { workspaceId, connector, ownership }));
    assert.equal(made.adopted, false);
    const [c] = sim.connectors();
    assert.equal(c!.id, made.connectorId);
    assert.equal(c!.name, taggedConnectorName('Activity test', ownership.tag));
    assert.equal(made.channelId, c!.channelId);
  });

  it('on a retry, adopts what an earlier attempt created instead of creating again', async () => {
    const connector = spec();
    const ownership = own(connector);
    const first = await created(attempt(1).run(activities.createConnector, { workspaceId, connector, ownership }));
    const retry = await created(attempt(2).run(activities.createConnector, { workspaceId, connector, ownership }));
    assert.equal(retry.adopted, true);
    assert.equal(retry.connectorId, first.connectorId);
    assert.equal(creates().length, 1, 'no second POST');
  });

  it('a tag alone does not make a connector ours: a retry for another number with the same tag creates its own', async () => {
    const t = tag();
    const a = spec();
    const b = spec();
    const first = await created(
      attempt(1).run(activities.createConnector, { workspaceId, connector: a, ownership: own(a, t) }),
    );
    // A different number whose ownership claims the same tag (as two runs started in one millisecond used to).
    const retry = await created(
      attempt(2).run(activities.createConnector, {
        workspaceId,
        connector: { ...b, name: 'Other name' },
        ownership: own(b, t),
      }),
    );
    assert.equal(retry.adopted, false);
    assert.notEqual(retry.connectorId, first.connectorId);
    assert.equal(creates().length, 2);
  });

  it('a 409 is returned as a conflict, never thrown for a retry to send the create again', async () => {
    const connector = spec();
    await created(attempt(1).run(activities.createConnector, { workspaceId, connector, ownership: own(connector) }));
    const conflict = await attempt(1).run(activities.createConnector, {
      workspaceId,
      connector,
      ownership: own(connector),
    });
    assert.equal(conflict.outcome, 'conflict');
    assert.ok(conflict.outcome === 'conflict' && conflict.firstAttempt);
    const later = await attempt(3).run(activities.createConnector, {
      workspaceId,
      connector,
      ownership: own(connector),
    });
    assert.ok(
      later.outcome === 'conflict' && !later.firstAttempt,
      'a retried create cannot rule out its earlier attempts',
    );
    assert.deepEqual(
      creates().map((c) => c.status),
      [201, 409, 409],
    );
  });

  it('a refusal carries the attempt it happened on (attempt 1 proves nothing was made)', async () => {
    const f = await failure(
      attempt(1).run(activities.createConnector, {
        workspaceId: randomUUID(),
        connector: spec(),
        ownership: own(spec()),
      }),
    );
    assert.equal(f.type, FailureType.rejected);
    assert.equal((f.details?.[0] as { attempt?: number }).attempt, 1);
  });

  it('the ownership lookup reads newest first and stops at the first match', async () => {
    const connector = spec();
    for (let i = 0; i < 120; i++)
      sim.seedConnector(workspaceId, {
        name: `Other ${i}`,
        connectorTemplateRef: 'sms-messagebird:1',
        arguments: { phoneNumberId: randomUUID(), channelMessageType: '2fa' },
      });
    const ownership = own(connector);
    const made = await created(attempt(1).run(activities.createConnector, { workspaceId, connector, ownership }));
    const found = await attempt(1).run(activities.findOwnConnector, { workspaceId, ownership });
    assert.equal(found?.connectorId, made.connectorId);
    assert.equal(lists().length, 1, 'one page: ours is the newest');
  });

  it('a retried lookup resumes at the page it had reached (heartbeat details), not at the first', async () => {
    const connector = spec();
    const ownership = own(connector);
    const made = await created(attempt(1).run(activities.createConnector, { workspaceId, connector, ownership }));
    for (let i = 0; i < 150; i++)
      sim.seedConnector(workspaceId, {
        name: `Newer ${i}`,
        connectorTemplateRef: 'sms-messagebird:1',
        arguments: { phoneNumberId: randomUUID(), channelMessageType: '2fa' },
      });
    const fresh = await attempt(1).run(activities.findOwnConnector, { workspaceId, ownership });
    assert.equal(fresh?.connectorId, made.connectorId);
    assert.equal(lists().length, 2, 'ours is on the second page, newest first');
    const secondPage = new URL(lists()[1]!.path, 'http://x').searchParams.get('pageToken');
    assert.ok(secondPage);
    const resumed = await attempt(2, { pageToken: secondPage, pagesRead: 1 }).run(activities.findOwnConnector, {
      workspaceId,
      ownership,
    });
    assert.equal(resumed?.connectorId, made.connectorId);
    assert.equal(lists().length, 3, 'resumed at the second page: one more list call');
    assert.equal(new URL(lists()[2]!.path, 'http://x').searchParams.get('pageToken'), secondPage);
  });

  it('checks every secret reference at once, naming each missing one', async () => {
    await attempt(1).run(activities.checkSecretReferences, {
      signingKeyRefs: ['SIGNING'],
      securityArgumentsRef: 'SMS_SECURITY',
    });
    const f = await failure(
      attempt(1).run(activities.checkSecretReferences, { signingKeyRefs: ['SIGNING', 'MISSING_ONE', 'MISSING_TWO'] }),
    );
    assert.equal(f.type, FailureType.secretNotFound);
    assert.match(f.message, /"MISSING_ONE", "MISSING_TWO"/);
    const bad = await failure(
      attempt(1).run(activities.checkSecretReferences, { signingKeyRefs: [], securityArgumentsRef: 'BAD_JSON' }),
    );
    assert.equal(bad.type, FailureType.invalidSecret);
    assert.ok(!bad.message.includes('nope'));
    assert.equal(sim.calls().length, 0, 'no Bird call');
  });

  it('resolves securityArgumentsRef inside the activity; a malformed secret fails without showing it', async () => {
    const withRef = spec({ securityArgumentsRef: 'SMS_SECURITY' });
    await created(
      attempt(1).run(activities.createConnector, { workspaceId, connector: withRef, ownership: own(withRef) }),
    );
    const sent = sim.calls().find((c) => c.operationId === 'createConnector')!.body as { securityArguments: unknown };
    assert.equal(sent.securityArguments, '[redacted]', 'the simulator keeps security arguments out of its call log');
    const bad = await failure(
      attempt(1).run(activities.createConnector, {
        workspaceId,
        connector: spec({ securityArgumentsRef: 'BAD_JSON' }),
        ownership: own(spec()),
      }),
    );
    assert.equal(bad.type, FailureType.invalidSecret);
    assert.ok(!bad.message.includes('nope'));
    const missing = await failure(
      attempt(1).run(activities.createConnector, {
        workspaceId,
        connector: spec({ securityArgumentsRef: 'MISSING' }),
        ownership: own(spec()),
      }),
    );
    assert.equal(missing.type, FailureType.secretNotFound);
    assert.equal(missing.nonRetryable, true);
  });

  it('a create given the signing-key references checks them all before sending anything to Bird', async () => {
    const connector = spec({ securityArgumentsRef: 'MISSING_CONNECTOR_REF' });
    const f = await failure(
      attempt(1).run(activities.createConnector, {
        workspaceId,
        connector,
        ownership: own(connector),
        signingKeyRefs: ['SIGNING', 'MISSING_ONE'],
      }),
    );
    assert.equal(f.type, FailureType.secretNotFound);
    assert.equal(f.nonRetryable, true);
    assert.match(f.message, /"MISSING_ONE", "MISSING_CONNECTOR_REF"/);
    assert.deepEqual(f.details?.[0], { operation: 'checkSecretReferences', attempt: 1 }, 'refused on attempt 1');
    assert.equal(sim.calls().length, 0, 'no Bird call');
    const ok = spec();
    await created(
      attempt(1).run(activities.createConnector, {
        workspaceId,
        connector: ok,
        ownership: own(ok),
        signingKeyRefs: ['SIGNING'],
      }),
    );
  });

  it('compensation finds a connector by ownership when the id is unknown, and 404 counts as done', async () => {
    const connector = spec();
    const ownership = own(connector);
    const made = await created(attempt(1).run(activities.createConnector, { workspaceId, connector, ownership }));
    const other = spec();
    await created(
      attempt(1).run(activities.createConnector, {
        workspaceId,
        connector: { ...other, name: 'Other' },
        ownership: own(other),
      }),
    ); // someone else's
    const deleted = await attempt(1).run(activities.deleteConnector, { workspaceId, ownership });
    assert.deepEqual(deleted, { outcome: 'deleted', connectorId: made.connectorId });
    assert.equal(sim.connectors().filter((c) => !c.deletedAt).length, 1, 'the other connector is untouched');
    const again = await attempt(1).run(activities.deleteConnector, {
      workspaceId,
      connectorId: made.connectorId,
      ownership,
    });
    assert.equal(again.outcome, 'already-gone');
    const never = await attempt(1).run(activities.deleteConnector, { workspaceId, ownership: own(spec()) });
    assert.equal(never.outcome, 'never-created');
    const noWorkspace = await attempt(1).run(activities.deleteConnector, {
      workspaceId: randomUUID(),
      ownership: own(spec()),
    });
    assert.equal(noWorkspace.outcome, 'never-created', 'no connector can exist in a workspace Bird does not know');
  });

  it('reads channel readiness; polling says "not ready" as a retryable failure, an error status as a final one', async () => {
    const connector = spec();
    sim.configureNumber((connector.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'active',
      delayMs: 60_000,
    });
    const made = await created(
      attempt(1).run(activities.createConnector, { workspaceId, connector, ownership: own(connector) }),
    );
    const early = await attempt(1).run(activities.getChannelReadiness, { workspaceId, connectorId: made.connectorId });
    assert.equal(early.channelId, made.channelId);
    assert.notEqual(early.status, 'error');
    const pending = await failure(
      attempt(4).run(activities.awaitChannelActive, { workspaceId, connectorId: made.connectorId }),
    );
    assert.equal(pending.type, FailureType.channelNotReady);
    assert.equal(pending.nonRetryable, false);
    assert.equal((pending.details?.[0] as { statusReads: number }).statusReads, 4);

    const broken = spec();
    sim.configureNumber((broken.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'error',
      errorMessage: 'no A2P',
      delayMs: 10,
    });
    const bad = await created(
      attempt(1).run(activities.createConnector, { workspaceId, connector: broken, ownership: own(broken) }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const failed = await failure(
      attempt(1).run(activities.awaitChannelActive, { workspaceId, connectorId: bad.connectorId }),
    );
    assert.equal(failed.type, FailureType.channelFailed);
    assert.equal(failed.nonRetryable, true);
    assert.match(failed.message, /no A2P/);

    const f = await failure(attempt(1).run(activities.getChannelReadiness, { workspaceId, connectorId: randomUUID() }));
    assert.equal(f.type, FailureType.rejected);
    assert.equal(f.nonRetryable, true);
  });

  it('polling returns the active channel with the number of status reads it took', async () => {
    const connector = spec();
    const made = await created(
      attempt(1).run(activities.createConnector, { workspaceId, connector, ownership: own(connector) }),
    );
    await new Promise((r) => setTimeout(r, 150));
    const active = await attempt(3).run(activities.awaitChannelActive, { workspaceId, connectorId: made.connectorId });
    assert.equal(active.status, 'ok');
    assert.equal(active.stage, 'active');
    assert.equal(active.statusReads, 3);
  });

  it('adds the channelId filter to a channel subscription and never returns the signing key', async () => {
    const channelId = randomUUID();
    const sub = await attempt(1).run(activities.createChannelSubscription, {
      organizationId,
      workspaceId,
      channelId,
      subscription: {
        service: 'channels',
        event: 'channel.updated',
        url: 'https://hooks.example.com/a',
        eventFilters: [{ key: 'channelStatus', value: 'active' }],
        signingKeyRef: 'SIGNING',
      },
    });
    assert.ok(!JSON.stringify(sub).includes('the-signing-key'));
    const [stored] = sim.subscriptions();
    assert.equal(stored!.id, sub.subscriptionId);
    assert.deepEqual(stored!.eventFilters, [
      { key: 'channelStatus', value: 'active' },
      { key: 'channelId', value: channelId },
    ]);
    assert.equal(stored!.hasSigningKey, true);
  });

  it('turns 429 Retry-After into nextRetryDelay and 5xx into a retryable failure', async () => {
    sim.setFaults({ retryAfterSeconds: 7 });
    sim.scriptFault('createConnector', '429-retry-after', 1);
    const limited = await failure(
      attempt(1).run(activities.createConnector, { workspaceId, connector: spec(), ownership: own(spec()) }),
    );
    assert.equal(limited.type, FailureType.rateLimited);
    assert.equal(limited.nonRetryable, false);
    assert.equal(limited.nextRetryDelay, 7_000);
    sim.scriptFault('createConnector', '503', 1);
    const server = await failure(
      attempt(1).run(activities.createConnector, { workspaceId, connector: spec(), ownership: own(spec()) }),
    );
    assert.equal(server.type, FailureType.serverError);
    assert.equal(server.nonRetryable, false);
    assert.ok(!server.message.includes(accessKey));
  });
});
