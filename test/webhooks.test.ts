/**
 * Readiness by webhook: simulator → signed delivery → receiver → reportChannelStatus update, on the real dev
 * server; and the refusal of forged, replayed and flooded deliveries, by the receiver and by the run itself.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { awaitResult, getProgress, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { ensureWorkspaceSubscription } from '../src/client/subscriptions-client';
import { WebhookHeaders } from '../src/bird/events';
import { signWebhook } from '../src/bird/signature';
import type { ProvisionChannelInputRaw } from '../src/domain/provisioning-input';
import { Secret } from '../src/base/secret';
import { buildWebhookReceiver } from '../src/webhook-receiver/server';
import { temporalStatusRouter } from '../src/webhook-receiver/status-router';
import { MAX_STATUS_REPORTS_PER_RUN } from '../src/domain/provisioning';
import { reportChannelStatusUpdate } from '../src/domain/messages/provisioning';
import { RECEIVER_PUBLIC_URL, SIGNING_KEY_REF, smsInput, startStack, type Stack } from './helpers/stack';
import { waitFor } from './helpers/wait';

describe('readiness by webhook', function () {
  this.timeout(90_000);
  let stack: Stack;
  let receiverUrl: string;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack({ receiver: true, sim: { provisioningDelayMs: 800 } });
    const address = stack.receiver!.server.address() as { port: number };
    receiverUrl = `http://127.0.0.1:${address.port}${new URL(RECEIVER_PUBLIC_URL).pathname}`;
    for (const event of ['channel.updated', 'channel.created'] as const) {
      const ensured = await ensureWorkspaceSubscription(
        stack.client,
        {
          organizationId: stack.organizationId,
          workspaceId: stack.workspaceId,
          event,
          url: RECEIVER_PUBLIC_URL,
          signingKeyRef: SIGNING_KEY_REF,
        },
        { taskQueue: stack.taskQueue },
      );
      stack.startedWorkflowIds.push(ensured.workflowId);
    }
  });
  after(() => stack?.closeCheckingHistories());

  async function start(input: ProvisionChannelInputRaw) {
    const started = await parseAndStartProvisioning(stack.client, input, { taskQueue: stack.taskQueue });
    stack.startedWorkflowIds.push(started.workflowId);
    return started;
  }
  const phoneOf = (input: ProvisionChannelInputRaw) =>
    (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;

  it('ensuring the workspace subscription twice registers it once', async () => {
    const input = {
      organizationId: stack.organizationId,
      workspaceId: stack.workspaceId,
      event: 'channel.updated' as const,
      url: RECEIVER_PUBLIC_URL,
      signingKeyRef: SIGNING_KEY_REF,
    };
    const first = await ensureWorkspaceSubscription(stack.client, input, { taskQueue: stack.taskQueue });
    const again = await ensureWorkspaceSubscription(stack.client, input, { taskQueue: stack.taskQueue });
    assert.equal(first.subscriptionId, again.subscriptionId);
    const updated = stack.sim
      .subscriptions()
      .filter((s) => s.event === 'channel.updated' && s.url === RECEIVER_PUBLIC_URL);
    assert.equal(updated.length, 1);
    assert.equal(updated[0]!.hasSigningKey, true);
  });

  it('webhook mode: ready on the webhook report, with only the status check a report may need', async () => {
    const input = smsInput(stack, { readiness: { mode: 'webhook', deadline: '30s' } });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
    assert.equal(outcome.result.readinessSource, 'webhook');
    assert.equal(outcome.result.statusPolls, 0);
    const signalled = stack.sim
      .deliveries()
      .filter(
        (d) =>
          d.status === 200 &&
          (d.body as { payload: { connectorId: string } }).payload.connectorId === outcome.result.connectorId,
      );
    assert.ok(signalled.length >= 1, 'the receiver signalled from a signed delivery');
  });

  it('both mode: the webhook wins over a slow poll schedule', async () => {
    const input = smsInput(stack, {
      readiness: { mode: 'both', initialPollInterval: '20s', maxPollInterval: '1m', deadline: '1m' },
    });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
    assert.equal(outcome.result.readinessSource, 'webhook');
    assert.ok(outcome.result.statusPolls <= 1, 'at most the first, immediate poll');
    assert.ok(outcome.result.timings.readinessWaitMs < 15_000);
  });

  it('both mode: an error reported by webhook fails the run and deletes the connector', async () => {
    const input = smsInput(stack, {
      readiness: { mode: 'both', initialPollInterval: '20s', maxPollInterval: '1m', deadline: '1m' },
    });
    stack.sim.configureNumber(phoneOf(input), { outcome: 'error', errorMessage: 'carrier rejected the number' });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(!outcome.ok);
    assert.match(outcome.reason, /carrier rejected the number \(seen by webhook\)/);
    // Our own delete makes Bird send channel.updated (deprovisioned) while the run finishes: the run refuses it
    // (not waiting for readiness) instead of failing a workflow task with an unhandled command.
    await sleep(1_500);
    const events =
      (await stack.client.workflow.getHandle(`provision/${stack.workspaceId}/${phoneOf(input)}`).fetchHistory())
        .events ?? [];
    assert.equal(events.filter((e) => e.workflowTaskFailedEventAttributes).length, 0, 'no failed workflow task');
    assert.equal(
      stack.sim
        .connectors()
        .filter((c) => c.workspaceId === stack.workspaceId && !c.deletedAt && c.number?.numberId === phoneOf(input))
        .length,
      0,
    );
  });

  it('forged and replayed deliveries are refused and never signal', async () => {
    const input = smsInput(stack, { readiness: { mode: 'webhook', deadline: '30s' } });
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 4_000 });
    const { workflowId } = await start(input);
    let progress = await getProgress(stack.client, workflowId);
    for (let i = 0; i < 100 && !progress.channelId; i++) {
      await sleep(100);
      progress = await getProgress(stack.client, workflowId);
    }
    assert.ok(progress.connectorId && progress.channelId);
    await sleep(1_000); // let the genuine channel.created delivery land first
    const before = (await getProgress(stack.client, workflowId)).statusReports;

    const body = JSON.stringify({
      service: 'channels',
      event: 'channel.updated',
      payload: { channelId: progress.channelId, connectorId: progress.connectorId, status: 'ok', stage: 'active' },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const post = (headers: Record<string, string>, payload = body) =>
      fetch(receiverUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });

    const forged = await post({
      [WebhookHeaders.requestId]: randomUUID(),
      [WebhookHeaders.timestamp]: timestamp,
      [WebhookHeaders.signature]: signWebhook('not-the-key', timestamp, RECEIVER_PUBLIC_URL, body),
    });
    assert.equal(forged.status, 401);
    const unsigned = await post({ [WebhookHeaders.requestId]: randomUUID(), [WebhookHeaders.timestamp]: timestamp });
    assert.equal(unsigned.status, 401);
    const otherUrl = await post({
      [WebhookHeaders.requestId]: randomUUID(),
      [WebhookHeaders.timestamp]: timestamp,
      [WebhookHeaders.signature]: signWebhook(
        stack.secrets.signingKey,
        timestamp,
        'https://attacker.example.com/bird/events',
        body,
      ),
    });
    assert.equal(otherUrl.status, 401);

    // Replay: a genuine delivery sent again verbatim is acknowledged but not signalled a second time.
    const genuine = stack.sim
      .deliveries()
      .find(
        (d) =>
          d.status === 200 &&
          (d.body as { payload: { connectorId: string } }).payload.connectorId === progress.connectorId,
      );
    assert.ok(genuine, 'a genuine delivery reached the receiver');
    const raw = JSON.stringify(genuine.body);
    const replay = await post(
      {
        [WebhookHeaders.requestId]: genuine.requestId,
        [WebhookHeaders.timestamp]: genuine.timestamp,
        [WebhookHeaders.signature]: signWebhook(stack.secrets.signingKey, genuine.timestamp, RECEIVER_PUBLIC_URL, raw),
      },
      raw,
    );
    assert.equal(replay.status, 200);
    assert.deepEqual(await replay.json(), { status: 'duplicate' });
    // The same delivery with a fresh (unsigned) request id is the same delivery.
    const freshId = await post(
      {
        [WebhookHeaders.requestId]: randomUUID(),
        [WebhookHeaders.timestamp]: genuine.timestamp,
        [WebhookHeaders.signature]: signWebhook(stack.secrets.signingKey, genuine.timestamp, RECEIVER_PUBLIC_URL, raw),
      },
      raw,
    );
    assert.deepEqual(await freshId.json(), { status: 'duplicate' });

    const after = await getProgress(stack.client, workflowId);
    assert.equal(after.statusReports, before, 'no forged or replayed event reached the workflow');
    assert.equal(after.stage, 'awaiting-readiness', 'the forged "active" did not complete the run');
    const outcome = await awaitResult(stack.client, workflowId);
    assert.ok(outcome.ok);
    assert.equal(outcome.result.readinessSource, 'webhook');
  });

  it("a flood of replayed and forged-key reports cannot grow the run's history past a fixed bound", async function () {
    this.timeout(120_000);
    const input = smsInput(stack, { readiness: { mode: 'webhook', deadline: '20s' } });
    stack.sim.configureNumber(phoneOf(input), { outcome: 'active', delayMs: 600_000 });
    const { workflowId, handle } = await start(input);
    let progress = await getProgress(stack.client, workflowId);
    for (let i = 0; i < 100 && progress.stage !== 'awaiting-readiness'; i++) {
      await sleep(100);
      progress = await getProgress(stack.client, workflowId);
    }
    const genuine = await (async () => {
      for (let i = 0; i < 100; i++) {
        const d = stack.sim
          .deliveries()
          .find(
            (x) =>
              (x.body as { payload: { connectorId?: string } }).payload.connectorId === progress.connectorId &&
              x.status === 200,
          );
        if (d) return d;
        await sleep(100);
      }
      return undefined;
    })();
    assert.ok(genuine, 'the genuine channel.created delivery was accepted');
    const raw = JSON.stringify(genuine.body);
    const historyLength = async () => (await handle.fetchHistory()).events?.length ?? 0;
    const before = await historyLength();
    const signed = {
      [WebhookHeaders.timestamp]: genuine.timestamp,
      [WebhookHeaders.signature]: signWebhook(stack.secrets.signingKey, genuine.timestamp, RECEIVER_PUBLIC_URL, raw),
    };

    // 1. 1,000 re-sends of the captured delivery with fresh request ids: the receiver knows them all.
    const statuses = new Map<string, number>();
    for (let i = 0; i < 1_000; i++) {
      const res = await fetch(receiverUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [WebhookHeaders.requestId]: randomUUID(), ...signed },
        body: raw,
      });
      const { status } = (await res.json()) as { status: string };
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    assert.deepEqual([...statuses], [['duplicate', 1_000]]);

    // 2. The same replays through a second receiver (a restart or another replica: its replay cache is empty):
    //    the run itself refuses them, and a refused update leaves no event.
    const second = buildWebhookReceiver({
      signingKey: new Secret(stack.secrets.signingKey),
      publicUrl: RECEIVER_PUBLIC_URL,
      route: temporalStatusRouter(stack.client),
    });
    try {
      for (let i = 0; i < 50; i++) {
        const res = await second.inject({
          method: 'POST',
          url: new URL(RECEIVER_PUBLIC_URL).pathname,
          headers: { 'content-type': 'application/json', [WebhookHeaders.requestId]: randomUUID(), ...signed },
          payload: raw,
        });
        assert.equal(res.statusCode, 200);
        assert.equal(res.json<{ status: string }>().status, i === 0 ? 'ignored' : 'duplicate');
      }
    } finally {
      await second.close();
    }

    // 3. Distinct reports straight to the run (as many distinct genuine deliveries would be): at most the cap is accepted.
    let accepted = 0;
    for (let i = 0; i < MAX_STATUS_REPORTS_PER_RUN + 30; i++) {
      try {
        await handle.executeUpdate(reportChannelStatusUpdate, {
          args: [
            {
              event: 'channel.updated',
              channelId: progress.channelId!,
              connectorId: progress.connectorId,
              status: 'pending',
              stage: 'provisioning',
              deliveryKey: `flood-${i}`,
            },
          ],
        });
        accepted++;
      } catch {
        // refused by the validator: nothing recorded
      }
    }
    const after = await historyLength();
    assert.ok(accepted <= MAX_STATUS_REPORTS_PER_RUN, `accepted ${accepted}`);
    assert.equal((await getProgress(stack.client, workflowId)).statusReports <= MAX_STATUS_REPORTS_PER_RUN, true);
    // Each accepted report costs a handful of events (update accepted/completed, a workflow task); nothing else counts.
    const bound = before + MAX_STATUS_REPORTS_PER_RUN * 8;
    assert.ok(after <= bound, `history grew from ${before} to ${after} events (bound ${bound})`);

    // Past the cap, readiness still ends by the status check at the deadline.
    stack.sim.setChannelStatus(progress.connectorId!, 'ok', 'active');
    const outcome = await awaitResult(stack.client, workflowId);
    assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
    assert.equal(outcome.result.readinessSource, 'poll');
  });

  it('poll mode: the webhook reports of its channel are refused and leave nothing in its history', async () => {
    const input = smsInput(stack, {
      readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '1s', deadline: '30s' },
    });
    stack.sim.configureNumber((input.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'active',
      delayMs: 2_000,
    });
    const { workflowId } = await start(input);
    const outcome = await awaitResult(stack.client, workflowId);
    assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
    assert.equal(outcome.result.readinessSource, 'poll');
    // Bird delivered its channel events to the receiver, which reported them to the run: the run refused them.
    const delivered = await waitFor(
      'the channel events to be delivered',
      () => {
        const mine = stack.sim
          .deliveries()
          .filter((d) => d.body.payload.connectorId === outcome.result.connectorId && d.status === 200);
        return mine.length >= 2 ? mine : undefined;
      },
      10_000,
      100,
    );
    assert.ok(delivered.length >= 2);
    const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    assert.equal(
      events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length,
      0,
      'no report reached the history',
    );
  });

  it('the router answers "not yet" for a fresh delivery of no visible provisioning, and "no run" once it is old or finished', async () => {
    const route = temporalStatusRouter(stack.client, { lookupRetryDelaysMs: [] });
    const unknown = {
      service: 'channels' as const,
      event: 'channel.updated' as const,
      payload: { channelId: randomUUID(), connectorId: randomUUID(), status: 'ok' as const, stage: 'active' as const },
    };
    assert.deepEqual(await route(unknown, { deliveryKey: 'k1', sentAtMs: Date.now() }), { outcome: 'not-yet' });
    assert.deepEqual(await route(unknown, { deliveryKey: 'k2', sentAtMs: Date.now() - 10 * 60_000 }), {
      outcome: 'no-run',
    });

    const input = smsInput(stack, { readiness: { mode: 'poll', initialPollInterval: '100ms', deadline: '20s' } });
    const outcome = await awaitResult(stack.client, (await start(input)).workflowId);
    assert.ok(outcome.ok);
    const finished = {
      ...unknown,
      payload: { ...unknown.payload, channelId: outcome.result.channelId, connectorId: outcome.result.connectorId },
    };
    const verdict = await waitFor(
      'the finished run to be visible',
      async () => {
        const v = await route(finished, { deliveryKey: 'k3', sentAtMs: Date.now() });
        return v.outcome === 'not-yet' ? undefined : v;
      },
      10_000,
      200,
    );
    assert.deepEqual(verdict, { outcome: 'no-run' });
  });
});
