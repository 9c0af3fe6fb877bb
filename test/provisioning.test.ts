/**
 * The provisioning workflow end to end: real dev server, real worker, Bird simulator over HTTP.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  awaitResult,
  cancelProvisioning,
  getProgress,
  parseAndStartProvisioning,
  startProvisioning,
} from '../src/client/provisioning-client';
import { hasIdempotencyTag } from '../src/domain/idempotency';
import * as sa from '../src/domain/search-attributes';
import type { ProvisionChannelInputRaw } from '../src/domain/provisioning-input';
import { InvalidProvisioningInput, parseProvisioningInput } from '../src/domain/provisioning-input';
import { createProvisioningWorker } from '../src/worker/factory';
import { staticSecretStore } from '../src/config/secrets';
import { SIGNING_KEY_REF, smsInput, startStack, type Stack } from './helpers/stack';
import { temporal } from './helpers/temporal';
import { waitFor } from './helpers/wait';

describe('provisionChannel workflow', function () {
  this.timeout(90_000);
  let stack: Stack;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack();
  });
  after(() => stack?.closeCheckingHistories());
  beforeEach(() => stack.sim.reset());

  async function start(input: ProvisionChannelInputRaw) {
    const started = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    stack.startedWorkflowIds.push(started.workflowId);
    return started;
  }
  const phoneOf = (input: ProvisionChannelInputRaw) =>
    (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
  const liveConnectors = () => stack.sim.connectors().filter((c) => !c.deletedAt);
  const callsTo = (operationId: string) => stack.sim.calls().filter((c) => c.operationId === operationId);

  it('provisions by polling with backoff and registers a per-channel subscription', async () => {
    stack.sim.configureNumber(randomUUID(), { outcome: 'active' }); // another number: must not interfere
    const input = smsInput(stack, {
      subscriptions: [
        {
          service: 'channels',
          event: 'channel.updated',
          url: 'https://hooks.example.com/channel-events',
          signingKeyRef: SIGNING_KEY_REF,
        },
      ],
    });
    const { workflowId } = await start(input);
    assert.equal(workflowId, `provision/${stack.workspaceId}/${phoneOf(input)}`);
    const outcome = await awaitResult(stack.client, workflowId);
    assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
    const result = outcome.result;
    assert.equal(result.readinessSource, 'poll');
    assert.deepEqual(result.finalStatus, { status: 'ok', stage: 'active' });
    assert.equal(result.adopted, false);
    assert.ok(result.statusPolls >= 2 && result.statusPolls <= 6, `polls: ${result.statusPolls}`);
    assert.equal(callsTo('getConnectorStatus').length, result.statusPolls);

    const [connector] = liveConnectors();
    assert.equal(liveConnectors().length, 1);
    assert.equal(connector!.id, result.connectorId);
    assert.equal(result.subscriptionIds.length, 1);
    const [sub] = stack.sim.subscriptions();
    assert.equal(sub!.id, result.subscriptionIds[0]);
    assert.deepEqual(sub!.eventFilters, [{ key: 'channelId', value: result.channelId }]);
    assert.equal(sub!.hasSigningKey, true, 'the worker resolved the signing key reference');

    const progress = await getProgress(stack.client, workflowId);
    assert.equal(progress.stage, 'completed');
    assert.equal(progress.connectorId, result.connectorId);
    const described = await stack.client.workflow.getHandle(workflowId).describe();
    assert.equal(described.typedSearchAttributes.get(sa.BirdConnectorId), result.connectorId);
    assert.equal(described.typedSearchAttributes.get(sa.BirdChannelId), result.channelId);
    assert.equal(described.typedSearchAttributes.get(sa.ProvisioningStage), 'completed');
  });

  it('a channel that becomes active after 60 s costs a handful of status calls (backoff, not busy polling)', async () => {
    // 60 s simulated by a 6 s channel with a 0.2 s initial interval: same ratio as Bird's 2 s and 60 s.
    const input = smsInput(stack, {
      readiness: {
        mode: 'poll',
        initialPollInterval: '200ms',
        backoffCoefficient: 2,
        maxPollInterval: '2s',
        deadline: '30s',
      },
    });
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 6_000 });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(outcome.ok);
    // 0, .2, .6, 1.4, 3, 5, 7 s → 7 polls; dozens would mean the backoff is broken.
    assert.ok(outcome.result.statusPolls <= 8, `polls: ${outcome.result.statusPolls}`);
    assert.ok(outcome.result.timings.readinessWaitMs >= 6_000);
  });

  it('error status → fails with the reason and deletes the connector', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'error', errorMessage: 'number not verified for A2P' });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok);
    assert.match(outcome.reason, /awaiting-readiness failed: channel status is error: number not verified for A2P/);
    assert.equal(outcome.details?.failedStep, 'awaiting-readiness');
    assert.match(outcome.details.undone[0]!, /^deleted connector /);
    assert.equal(liveConnectors().length, 0);
    assert.equal(stack.sim.connectors().length, 1);
  });

  it('deadline → fails and deletes the connector', async () => {
    const input = smsInput(stack, {
      readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '500ms', deadline: '2s' },
    });
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 60_000 });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(!outcome.ok);
    assert.match(outcome.reason, /not ready within the 2s deadline/);
    assert.equal(liveConnectors().length, 0);
    assert.equal(callsTo('deleteConnector').length, 1);
  });

  it('cancellation mid-wait → cancelled and the connector deleted', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 60_000 });
    const { workflowId, handle } = await start(input);
    await waitFor(
      'awaiting-readiness',
      async () => ((await getProgress(stack.client, workflowId)).stage === 'awaiting-readiness' ? true : undefined),
      15_000,
      100,
    );
    await cancelProvisioning(stack.client, workflowId);
    await assert.rejects(handle.result(), (err: Error) =>
      /cancel/i.test(`${err.message} ${(err.cause as Error | undefined)?.name}`),
    );
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    assert.equal(liveConnectors().length, 0);
    assert.equal(stack.sim.connectors().length, 1);
    const progress = await getProgress(stack.client, workflowId);
    assert.equal(progress.stage, 'cancelled');
  });

  it('cancellation while subscriptions are being registered → cancelled, connector deleted, subscription reported', async () => {
    // The subscription create hangs until the client's 3 s timeout, then succeeds on retry: a window to cancel in.
    stack.sim.scriptFault('createLegacyWebhookSubscription', 'timeout', 1);
    const input = smsInput(stack, {
      subscriptions: [{ service: 'channels', event: 'channel.updated', url: 'https://ok.example.com/events' }],
    });
    const { workflowId, handle } = await start(input);
    await waitFor(
      'registering-subscriptions',
      async () =>
        (await getProgress(stack.client, workflowId)).stage === 'registering-subscriptions' ? true : undefined,
      15_000,
      50,
    );
    await cancelProvisioning(stack.client, workflowId);
    await assert.rejects(handle.result());
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    assert.equal(liveConnectors().length, 0);
    assert.equal(stack.sim.subscriptions().length, 1, 'the retried subscription create went through');
  });

  it('a compensation Bird refuses is surfaced, naming the connector left behind', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'error', errorMessage: 'rejected', deleteRefused: true });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(!outcome.ok);
    assert.match(outcome.reason, /COMPENSATION FAILED: delete connector: .*HTTP 422 ConnectorTemplateReferenced/);
    assert.equal(outcome.details?.undone.length, 0);
    assert.equal(outcome.details?.compensationFailures.length, 1);
    assert.equal(liveConnectors().length, 1, 'the connector Bird would not delete is still there');
    assert.match(
      outcome.details.leftBehind[0]!,
      new RegExp(`^connector ${liveConnectors()[0]!.id} \\(its deletion failed`),
    );
    assert.match(outcome.reason, new RegExp(`Left: connector ${liveConnectors()[0]!.id}`));
    assert.equal(callsTo('deleteConnector').length, 1, '422 is final: not retried');
  });

  it('subscription failure → connector deleted, created subscriptions reported as left', async () => {
    stack.sim.rejectSubscriptionsFor('https://rejected.example.com');
    const input = smsInput(stack, {
      subscriptions: [
        { service: 'channels', event: 'channel.updated', url: 'https://ok.example.com/events' },
        { service: 'channels', event: 'channel.updated', url: 'https://rejected.example.com/events' },
      ],
    });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(!outcome.ok);
    assert.equal(outcome.details?.failedStep, 'registering-subscriptions');
    assert.match(outcome.reason, /rejected\.example\.com/);
    assert.equal(liveConnectors().length, 0);
    const created = stack.sim.subscriptions();
    assert.equal(created.length, 1);
    assert.equal(outcome.details?.leftBehind.length, 1);
    assert.match(outcome.details.leftBehind[0]!, new RegExp(created[0]!.id));
    assert.equal(callsTo('createLegacyWebhookSubscription').length, 2, '422 is not retried');
  });

  it('lost create reply → the connector is adopted, exactly one exists', async () => {
    stack.sim.scriptFault('createConnector', 'lost-response', 1);
    const input = smsInput(stack);
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
    assert.equal(outcome.result.adopted, true);
    assert.equal(stack.sim.connectors().length, 1, 'no duplicate');
    assert.equal(liveConnectors()[0]!.id, outcome.result.connectorId);
  });

  it('foreign 409 → fails with "already exists", the refused create is never sent again, nothing is deleted', async () => {
    const input = smsInput(stack);
    const foreign = await stack.bird.createConnector(stack.workspaceId, {
      ...input.connector,
      name: 'created by someone else',
    } as never);
    // A lookup after the 409 would meet these 429s; a retried create would POST again.
    stack.sim.scriptFault('listConnectors', '429', 3);
    const foreignCreates = callsTo('createConnector').length;
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(!outcome.ok);
    assert.match(outcome.reason, /already exists .* not created by this provisioning; it was left untouched/);
    assert.match(outcome.reason, /Undone: nothing to undo: Bird refused the create/);
    assert.equal(callsTo('createConnector').length - foreignCreates, 1, 'a 409 is never re-sent');
    assert.equal(callsTo('deleteConnector').length, 0);
    assert.deepEqual(
      liveConnectors().map((c) => c.id),
      [foreign.id],
    );
    assert.ok(!hasIdempotencyTag(foreign.name, 'prov-'));
  });

  it('50 provisionings started at once with one name → 50 distinct connectors, each for its own number, none adopted', async function () {
    this.timeout(180_000);
    const name = 'Acme Support'; // many channels of one customer share one name
    const inputs = Array.from({ length: 50 }, () =>
      smsInput(stack, { connector: { ...smsInput(stack).connector, name } }),
    );
    const started = await Promise.all(inputs.map((input) => start(input)));
    const outcomes = await Promise.all(started.map((s) => awaitResult(stack.client, s.workflowId)));
    const byNumber = new Map(liveConnectors().map((c) => [c.number?.numberId, c]));
    assert.equal(liveConnectors().length, 50);
    outcomes.forEach((outcome, i) => {
      assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
      assert.equal(outcome.result.adopted, false);
      const mine = byNumber.get(phoneOf(inputs[i]!));
      assert.equal(outcome.result.connectorId, mine?.id, 'the connector is the one made for this number');
    });
    assert.equal(new Set(outcomes.map((o) => (o.ok ? o.result.connectorId : ''))).size, 50);
    assert.equal(callsTo('deleteConnector').length, 0);
  });

  it('the same number in upper and lower case is one provisioning and one connector', async () => {
    const input = smsInput(stack);
    const upper = structuredClone(input);
    (upper.connector.arguments as { phoneNumberId: string }).phoneNumberId = phoneOf(input).toUpperCase();
    upper.workspaceId = stack.workspaceId.toUpperCase();
    const [a, b] = await Promise.all([start(input), start(upper)]);
    assert.equal(a.workflowId, b.workflowId);
    assert.equal(a.runId, b.runId);
    assert.ok((await awaitResult(stack.client, a.workflowId)).ok);
    assert.equal(callsTo('createConnector').length, 1);
  });

  for (const [secretCheck, failedStep] of [
    ['before-create', 'validating'],
    ['with-create', 'creating-connector'],
  ] as const) {
    it(`every secret reference is checked before the connector is created (secretCheck ${secretCheck})`, async () => {
      const input = smsInput(stack, {
        secretCheck,
        subscriptions: [
          {
            service: 'channels',
            event: 'channel.updated',
            url: 'https://ok.example.com/events',
            signingKeyRef: SIGNING_KEY_REF,
          },
          {
            service: 'channels',
            event: 'channel.updated',
            url: 'https://ok.example.com/other',
            signingKeyRef: 'NOT_CONFIGURED',
          },
        ],
      });
      const { workflowId, handle } = await start(input);
      const outcome = await awaitResult(stack.client, workflowId);
      assert.ok(!outcome.ok);
      assert.match(outcome.reason, /"NOT_CONFIGURED" not configured on the worker/);
      assert.equal(outcome.details?.failedStep, failedStep);
      assert.deepEqual(outcome.details?.leftBehind, []);
      assert.equal(stack.sim.calls().length, 0, 'Bird was never called');
      const events = (await handle.fetchHistory()).events ?? [];
      const markers = events.filter((e) => e.markerRecordedEventAttributes).length;
      const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
      // In the create, the check needs no local activity and no patch: no marker; nothing to delete afterwards.
      if (secretCheck === 'with-create') assert.equal(markers, 0);
      else assert.ok(markers > 0);
      assert.deepEqual(scheduled, secretCheck === 'with-create' ? ['createConnector'] : []);
    });
  }

  it('the workflow is handed the parsed input, defaults applied (a later default change cannot alter a run)', async () => {
    const input = smsInput(stack, { readiness: { mode: 'poll', initialPollInterval: '100ms', deadline: '20s' } });
    const { handle } = await start(input);
    await handle.result();
    const history = await handle.fetchHistory();
    const startedEvent = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const recorded = stack.client.options.loadedDataConverter.payloadConverter.fromPayload<{
      readiness: unknown;
      subscriptions: unknown;
    }>(startedEvent!.input!.payloads![0]!);
    assert.deepEqual(recorded.readiness, {
      mode: 'poll',
      initialPollInterval: 100,
      backoffCoefficient: 2,
      maxPollInterval: 60_000,
      deadline: 20_000,
      // The starter's choice, recorded with the input: a learned first read waits on a timer (docs/polling.md).
      firstPollWait: 'timer',
    });
    assert.deepEqual(recorded.subscriptions, []);
  });

  it('polling costs the same history however many polls it makes (the longest accepted input stays bounded)', async function () {
    this.timeout(60_000);
    const eventsFor = async (deadline: string) => {
      const input = smsInput(stack, {
        readiness: {
          mode: 'poll',
          initialPollInterval: '100ms',
          backoffCoefficient: 1,
          maxPollInterval: '100ms',
          deadline,
        },
      });
      stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 600_000 });
      const { handle, workflowId } = await start(input);
      const outcome = await awaitResult(stack.client, workflowId);
      assert.ok(!outcome.ok);
      const connectorId = (await getProgress(stack.client, workflowId)).connectorId!;
      return {
        // Workflow-task events left out: a task that times out on a loaded machine adds three, whatever the polls.
        events: (await handle.fetchHistory()).events!.filter(
          (e) =>
            !e.workflowTaskScheduledEventAttributes &&
            !e.workflowTaskStartedEventAttributes &&
            !e.workflowTaskCompletedEventAttributes &&
            !e.workflowTaskTimedOutEventAttributes &&
            !e.workflowTaskFailedEventAttributes,
        ).length,
        polls: callsTo('getConnectorStatus').filter((c) => c.path.includes(connectorId)).length,
      };
    };
    const short = await eventsFor('1s');
    const long = await eventsFor('8s');
    assert.ok(long.polls >= short.polls + 5, `polls: ${short.polls} then ${long.polls}`);
    // One timer and one activity per poll (~8 events) would give hundreds here; the history must not grow with polls.
    assert.ok(long.events <= short.events + 4, `short ${short.events} events, long ${long.events} events`);
    assert.ok(long.events < 80, `${long.events} events`);
  });

  // A channel ready after the last poll, found by the final read at the deadline: the time-skipping test
  // (test/time-skipping/provisioning-durations.test.ts) runs it with the 30-minute default, in seconds.

  it('a bug (an activity breaking its contract) fails the workflow task and compensates nothing', async function () {
    this.timeout(60_000);
    const { env, workflowBundle } = await temporal();
    const taskQueue = `broken-${randomUUID()}`;
    const worker = await createProvisioningWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle,
      bird: stack.bird,
      secrets: staticSecretStore({}),
      wrapActivities: (real) => ({
        ...real,
        createConnector: async () => ({
          outcome: 'created',
          adopted: false,
          connectorId: undefined as unknown as string,
        }),
      }),
    });
    const runUntil = async <T>(fn: () => Promise<T>): Promise<T> => {
      const running = worker.run();
      try {
        return await fn();
      } finally {
        worker.shutdown();
        await running;
      }
    };
    const input = smsInput(stack);
    const { handle, workflowId } = await runUntil(async () => {
      const started = await parseAndStartProvisioning(stack.client, input, { taskQueue });
      await waitFor(
        'a failed workflow task',
        async () => {
          const events = (await started.handle.fetchHistory()).events ?? [];
          return events.some((e) => e.workflowTaskFailedEventAttributes) ? true : undefined;
        },
        20_000,
        200,
      );
      return started;
    });
    const described = await handle.describe();
    assert.equal(described.status.name, 'RUNNING', 'the run waits for a fix instead of failing');
    assert.equal(callsTo('deleteConnector').length, 0, 'nothing was compensated');
    assert.notEqual(described.typedSearchAttributes.get(sa.ProvisioningStage), 'compensating');
    await stack.client.workflow.getHandle(workflowId).terminate('test: deliberately broken activity');
  });

  it('compensation keeps retrying through a Bird outage (no attempt or time limit), visible as "compensating"', async function () {
    this.timeout(60_000);
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'error', errorMessage: 'rejected' });
    stack.sim.scriptFault('deleteConnector', '503', 3);
    const { workflowId, handle } = await start(input);
    const pending = await waitFor(
      'a retrying delete',
      async () => {
        const d = await handle.describe();
        const activity = d.raw.pendingActivities?.find(
          (a) => a.activityType?.name === 'deleteConnector' && (a.attempt ?? 0) >= 2,
        );
        return activity ? { activity, stage: d.typedSearchAttributes.get(sa.ProvisioningStage) } : undefined;
      },
      30_000,
      100,
    );
    assert.equal(pending.stage, 'compensating');
    assert.equal(pending.activity.maximumAttempts ?? 0, 0, 'unlimited attempts');
    assert.ok(!pending.activity.expirationTime, 'no schedule-to-close limit');
    const found = [];
    for await (const wf of stack.client.workflow.list({
      query: `ProvisioningStage = 'compensating' AND BirdWorkspaceId = '${stack.workspaceId}'`,
    }))
      found.push(wf.workflowId);
    assert.ok(found.includes(workflowId) || pending.stage === 'compensating');
    const outcome = await awaitResult(stack.client, workflowId);
    assert.ok(!outcome.ok);
    assert.match(outcome.reason, /Undone: deleted connector/);
    assert.equal(liveConnectors().length, 0);
    const described = await handle.describe();
    assert.equal(described.typedSearchAttributes.get(sa.ProvisioningOutcome), 'compensated');
  });

  it("422 → fails at once with Bird's message, no retry, nothing left", async () => {
    // Bird requires useCaseId for 10DLC numbers; only Bird knows which numbers are 10DLC, so only Bird can refuse it.
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', tenDlc: true });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(!outcome.ok);
    assert.match(outcome.reason, /HTTP 422 InvalidData: .*useCaseId/);
    assert.equal(callsTo('createConnector').length, 1, 'not retried');
    assert.equal(liveConnectors().length, 0);
  });

  it('unknown workspace → 404 fails at once, and the report says nothing was created (no hunt for a connector)', async () => {
    const outcome = await awaitResult(
      stack.client,
      (await start({ ...smsInput(stack), workspaceId: randomUUID() })).workflowId,
    );
    assert.ok(!outcome.ok);
    assert.match(outcome.reason, /HTTP 404/);
    assert.match(outcome.reason, /Undone: nothing to undo: Bird refused the create, no connector was made\./);
    assert.doesNotMatch(outcome.reason, /COMPENSATION FAILED|Left:/);
    assert.equal(outcome.details?.createOutcome, 'refused');
    assert.deepEqual(outcome.details?.leftBehind, []);
    assert.equal(callsTo('createConnector').length, 1);
    assert.equal(callsTo('listConnectors').length, 0, 'a definitive refusal needs no lookup');
  });

  it('5xx and 429 bursts → retried (honouring Retry-After) and succeeds', async () => {
    stack.sim.setFaults({ retryAfterSeconds: 1 });
    stack.sim.scriptFault('createConnector', '503', 2);
    stack.sim.scriptFault('createConnector', '429-retry-after', 1);
    stack.sim.scriptFault('getConnectorStatus', '429', 2);
    stack.sim.scriptFault('getConnectorStatus', '500', 1);
    const outcome = await awaitResult(stack.client, (await start(smsInput(stack))).workflowId);
    assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
    const creates = callsTo('createConnector');
    assert.deepEqual(
      creates.map((c) => c.status),
      [503, 503, 429, 201],
    );
    assert.ok(creates[3]!.at - creates[2]!.at >= 900, 'waited for Retry-After: 1');
    assert.equal(liveConnectors().length, 1);
  });

  it('duplicate start → one run, one connector', async () => {
    const input = smsInput(stack);
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 1_500 });
    const [a, b] = await Promise.all([start(input), start(input)]);
    const c = await start(input);
    assert.equal(a.workflowId, b.workflowId);
    assert.equal(a.runId, b.runId);
    assert.equal(a.runId, c.runId);
    const outcome = await awaitResult(stack.client, a.workflowId);
    assert.ok(outcome.ok);
    assert.equal(stack.sim.connectors().length, 1);
    assert.equal(callsTo('createConnector').length, 1);
  });

  it('invalid input is refused before anything starts, naming each field', async () => {
    const bad = smsInput(stack);
    (bad.connector.arguments as Record<string, unknown>).channelMessageType = 'marketing';
    (bad.connector as Record<string, unknown>).securityArguments = { oauth: { token: 'x' } };
    await assert.rejects(
      parseAndStartProvisioning(stack.client, { ...bad, workspaceId: 'not-a-uuid' }, { taskQueue: stack.taskQueue }),
      (err: InvalidProvisioningInput) => {
        assert.ok(err instanceof InvalidProvisioningInput);
        assert.match(err.message, /connector\.securityArguments: secrets are never passed by value/);
        return true;
      },
    );
    await assert.rejects(
      parseAndStartProvisioning(
        stack.client,
        { ...bad, connector: { ...bad.connector, securityArguments: undefined } },
        { taskQueue: stack.taskQueue },
      ),
      (err: Error) => {
        assert.match(err.message, /connector\.arguments\.channelMessageType/);
        return true;
      },
    );
    assert.equal(stack.sim.calls().length, 0);
  });

  it('the typed client starts the input its caller parsed, without parsing it again', async () => {
    const raw = smsInput(stack);
    // @ts-expect-error a raw input does not type-check where the typed client takes a parsed one (typecheck fails if it does)
    const notParsed: Parameters<typeof startProvisioning>[1] = raw;
    assert.equal(notParsed, raw);
    const input = parseProvisioningInput(raw);
    // Changed after parsing into what the decoder would change back (it lower-cases ids): parsed a second time, the
    // run would be named by the lower-case workspace id.
    const upper = { ...input, workspaceId: input.workspaceId.toUpperCase() } as typeof input;
    assert.notEqual(upper.workspaceId, input.workspaceId);
    const phoneNumberId = (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
    // A task queue no worker polls: only the start is looked at.
    const started = await startProvisioning(stack.client, upper, { taskQueue: `no-worker-${randomUUID()}` });
    try {
      assert.equal(started.workflowId, `provision/${upper.workspaceId}/${phoneNumberId}`);
    } finally {
      await started.handle.terminate('test: only the start was looked at');
    }
  });
});
