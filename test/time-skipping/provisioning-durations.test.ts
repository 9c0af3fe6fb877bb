/**
 * The provisioning's long waits at their real durations, on the time-skipping test server: a 30-minute readiness
 * deadline and hours of compensation retries run in seconds. The workflow is the product's bundle on a real worker;
 * Bird is faked in memory and reads the server's clock (fake-bird.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ProvisionChannelInputRaw } from '../../src/domain/provisioning-input';
import { deploymentTaskQueues } from '../../src/bird/rate-limits/queues';
import {
  PROVISIONING_FAILED,
  type ProvisionChannelResult,
  type ProvisioningFailureDetails,
} from '../../src/domain/provisioning';
import { bundleProductWorkflows, createTimeSkippingEnv } from '../helpers/time-skipping';
import { FakeBird, type FakeCall } from './fake-bird';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('provisioning durations (time-skipping test server)', function () {
  this.timeout(60_000);
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  before(async function () {
    this.timeout(180_000);
    [env, workflowBundle] = await Promise.all([createTimeSkippingEnv(), bundleProductWorkflows()]);
  });
  after(() => env?.teardown());

  /** Runs one provisioning to its end on a fresh task queue, with Bird scripted by `bird`. */
  async function provision(
    bird: FakeBird,
    readiness: ProvisionChannelInputRaw['readiness'],
  ): Promise<{ result?: ProvisionChannelResult; failure?: ProvisioningFailureDetails; startedAt: number }> {
    const taskQueue = `time-skipping-${randomUUID()}`;
    const activities = bird.activities();
    const queues = Object.values(deploymentTaskQueues(taskQueue));
    const workers = await Promise.all(
      queues.map((q) =>
        Worker.create({
          connection: env.nativeConnection,
          taskQueue: q,
          activities,
          ...(q === taskQueue ? { workflowBundle } : {}),
        }),
      ),
    );
    const input: ProvisionChannelInputRaw = {
      workspaceId: randomUUID(),
      organizationId: randomUUID(),
      connector: {
        connectorTemplateRef: 'sms-messagebird:1',
        name: 'SMS time-skipping',
        arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
      },
      readiness,
    };
    const startedAt = await env.currentTimeMs();
    const running = Promise.all(workers.map((w) => w.run()));
    try {
      const result = await env.client.workflow.execute<
        (arg: ProvisionChannelInputRaw) => Promise<ProvisionChannelResult>
      >('provisionChannel', {
        taskQueue,
        workflowId: `provision/${randomUUID()}`,
        args: [input],
      });
      return { result, startedAt };
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      assert.ok(
        err.cause instanceof ApplicationFailure && err.cause.type === PROVISIONING_FAILED,
        `a provisioning failure, got: ${err.cause?.message}`,
      );
      return { failure: err.cause.details?.[0] as ProvisioningFailureDetails, startedAt };
    } finally {
      for (const w of workers) w.shutdown();
      await running;
    }
  }

  const gaps = (calls: FakeCall[]) => calls.slice(1).map((c, i) => c.at - calls[i]!.at);
  /** Equal within the little real time that passes while time skipping is held (an activity running). */
  const near = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) < 2 * SECOND, `${what}: ${actual} ms, expected ${expected} ms`);

  it('a 30-minute readiness deadline: polls back off to the cap, and the run fails at the deadline, its connector deleted', async () => {
    const bird = new FakeBird(() => env.currentTimeMs());
    const realStart = Date.now();
    const { failure, startedAt } = await provision(bird, {
      mode: 'poll',
      initialPollInterval: '2s',
      backoffCoefficient: 2,
      maxPollInterval: '1m',
      deadline: '30m',
    });
    assert.ok(failure);
    assert.equal(failure.failedStep, 'awaiting-readiness');
    assert.match(failure.reason, /not ready within the 30m deadline \(last status: pending\/provisioning/);
    assert.deepEqual(failure.undone, [`deleted connector ${'conn-time-skipping'}`]);

    const created = bird.callsTo('createConnector')[0]!.at;
    const polls = bird.callsTo('awaitChannelActive');
    // 2 s doubling to the 1-minute cap: 0, 2, 6, 14, 30, 62, 122 s, then every minute while the next fits the deadline.
    gaps(polls).forEach((gap, i) => near(gap, Math.min(2 * SECOND * 2 ** i, MINUTE), `gap before poll ${i + 2}`));
    assert.ok(polls.length >= 30, `${polls.length} polls in 30 minutes`);
    const lastPoll = polls.at(-1)!.at;
    assert.ok(
      lastPoll - created <= 30 * MINUTE && lastPoll - created + MINUTE > 30 * MINUTE - 2 * SECOND,
      'polls go on until the next one would pass the deadline',
    );
    // At the deadline, one last read; then the compensation.
    const [finalRead] = bird.callsTo('getChannelReadiness');
    near(finalRead!.at - created, 30 * MINUTE, 'the final read');
    const [deleted] = bird.callsTo('deleteConnector');
    assert.ok(deleted!.at >= finalRead!.at);
    assert.ok((await env.currentTimeMs()) - startedAt >= 30 * MINUTE, 'the server clock moved past the deadline');
    assert.ok(Date.now() - realStart < 60 * SECOND, `took ${Date.now() - realStart} ms of real time`);
  });

  it('a channel that becomes ready after the last poll is found by the final read at the deadline, not deleted', async () => {
    const bird = new FakeBird(() => env.currentTimeMs());
    // Ready 29.5 minutes after the create: after the last poll that fits the 30-minute deadline, before the deadline.
    bird.script = { readyAfterCreateMs: 29.5 * MINUTE };
    const { result, failure } = await provision(bird, {
      mode: 'poll',
      initialPollInterval: '2s',
      backoffCoefficient: 2,
      maxPollInterval: '1m',
      deadline: '30m',
    });
    assert.ok(result, `failed: ${failure?.reason}`);
    assert.equal(result.readinessSource, 'poll');
    const polls = bird.callsTo('awaitChannelActive');
    assert.ok(
      polls.every((p) => p.result === 'pending/provisioning'),
      'no poll saw it ready',
    );
    assert.deepEqual(
      bird.callsTo('getChannelReadiness').map((c) => c.result),
      ['ok/active'],
    );
    assert.equal(bird.callsTo('deleteConnector').length, 0);
    assert.ok(
      result.timings.readinessWaitMs >= 29.5 * MINUTE && result.timings.readinessWaitMs <= 30 * MINUTE + 2 * SECOND,
      `waited ${result.timings.readinessWaitMs} ms`,
    );
  });

  it('webhook mode with no report: one timer for a week-long deadline, then the final read, then the delete', async () => {
    const bird = new FakeBird(() => env.currentTimeMs());
    const { failure } = await provision(bird, { mode: 'webhook', deadline: '168h' });
    assert.ok(failure);
    assert.match(failure.reason, /not ready within the 168h deadline \(last status: pending\/provisioning\)/);
    assert.equal(bird.callsTo('awaitChannelActive').length, 0, 'webhook mode never polls');
    const created = bird.callsTo('createConnector')[0]!.at;
    const [finalRead] = bird.callsTo('getChannelReadiness');
    near(finalRead!.at - created, 168 * HOUR, 'the final read');
    assert.equal(bird.callsTo('deleteConnector').length, 1);
  });

  it('compensation retries a failing delete for hours: 1 s doubling to a 5-minute cap, no attempt or time limit', async () => {
    const bird = new FakeBird(() => env.currentTimeMs());
    const startedAt = await env.currentTimeMs();
    bird.script = { channelError: 'number not verified for A2P', deletesFailUntil: startedAt + 3 * HOUR };
    const { failure } = await provision(bird, {
      mode: 'poll',
      initialPollInterval: '2s',
      maxPollInterval: '1m',
      deadline: '30m',
    });
    assert.ok(failure);
    assert.match(failure.reason, /channel status is error: number not verified for A2P/);
    assert.deepEqual(failure.undone, ['deleted connector conn-time-skipping']);
    assert.deepEqual(failure.compensationFailures, []);
    assert.deepEqual(failure.leftBehind, []);

    const deletes = bird.callsTo('deleteConnector');
    assert.deepEqual(
      deletes.map((d) => d.attempt),
      deletes.map((_, i) => i + 1),
      'one activity, retried',
    );
    assert.equal(deletes.at(-1)!.result, 'deleted');
    assert.ok(deletes.slice(0, -1).every((d) => d.result === 'failed'));
    gaps(deletes).forEach((gap, i) =>
      near(gap, Math.min(SECOND * 2 ** i, 5 * MINUTE), `gap before delete attempt ${i + 2}`),
    );
    // 1 s doubling reaches the cap after 9 retries (about 8.5 minutes), then one try every 5 minutes until Bird is back.
    assert.ok(deletes.length > 40, `${deletes.length} attempts`);
    assert.ok(deletes.at(-1)!.at - startedAt >= 3 * HOUR, 'retried until Bird came back, three hours later');
  });
});
