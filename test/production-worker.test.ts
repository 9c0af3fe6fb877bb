/**
 * The production worker as the image runs it: compiled JS, the workflow bundle pre-built by
 * scripts/bundle-workflows.js, `node dist/src/worker.js` as a real process against the dev server and the simulator.
 * Checks the operational contract: it loads the bundle, answers /healthz, exports the SDK's and the product's
 * metrics on /metrics, logs JSON with workflow/activity context and never a secret, and drains on SIGTERM.
 */
import { terminateLeftoverRuns } from './helpers/cleanup';
import { temporal as proto } from '@temporalio/proto';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BirdSimulator } from '../src/bird-sim';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import type { ProvisionChannelInputRaw } from '../src/domain/provisioning-input';
import { birdReadsQueue, birdWritesQueue } from '../src/bird/rate-limits/queues';
import { scrape, startNodeProcess, sum, type NodeProcess } from './helpers/processes';
import { productionBuild } from './helpers/production-build';
import { freePort, temporal, type TemporalHarness } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const EventType = proto.api.enums.v1.EventType;

describe('production worker process (compiled, pre-bundled workflows)', function () {
  this.timeout(180_000);
  const accessKey = `sim-key-${randomUUID()}`;
  const signingKey = `signing-key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const taskQueue = `prod-${randomUUID()}`;
  let harness: TemporalHarness;
  let sim: BirdSimulator;
  let worker: NodeProcess;
  let bundlePath: string;
  let healthPort: number;
  let metricsPort: number;
  const started: string[] = [];

  const input = (
    readiness: ProvisionChannelInputRaw['readiness'] = {
      mode: 'poll',
      initialPollInterval: '100ms',
      maxPollInterval: '500ms',
      deadline: '20s',
    },
  ): ProvisionChannelInputRaw => ({
    workspaceId,
    organizationId,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: `Prod SMS ${randomUUID().slice(0, 8)}`,
      arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
    },
    readiness,
  });

  before(async () => {
    const [h, build] = await Promise.all([temporal(), productionBuild()]);
    harness = h;
    bundlePath = build.bundle;
    sim = await BirdSimulator.start({
      provisioningDelayMs: 300,
      accessKeys: [accessKey],
      workspaces: [{ id: workspaceId, organizationId }],
    });
    [healthPort, metricsPort] = [await freePort(), await freePort()];
    worker = startNodeProcess(
      build.workerJs,
      {
        TEMPORAL_ADDRESS: harness.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
        TEMPORAL_TASK_QUEUE: taskQueue,
        BIRD_API_BASE_URL: sim.url,
        BIRD_ACCESS_KEY: accessKey,
        BIRD_SECRET_WEBHOOK_SIGNING_KEY: signingKey,
        WORKER_HEALTH_PORT: String(healthPort),
        WORKER_METRICS_PORT: String(metricsPort),
        WORKER_SHUTDOWN_GRACE_TIME: '20s',
        LOG_LEVEL: 'debug',
      },
      { node: process.execPath },
    );
    await worker.waitForLine('worker started', (l) => l.includes('"worker started"'));
  });

  after(async () => {
    worker?.kill();
    await terminateLeftoverRuns(harness.env.client, started);
    await sim?.close();
  });

  it('loads the workflow bundle built at build time (not bundling at start-up)', () => {
    const startedLine = worker.json().find((l) => l.msg === 'worker started');
    assert.equal(startedLine?.workflowBundle, bundlePath);
  });

  it('answers /healthz while running', async () => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { state: 'RUNNING' });
  });

  it("serves provisionings and exports the SDK's and the product's metrics on /metrics", async () => {
    sim.scriptFault('createConnector', '429', 1);
    const ready = await parseAndStartProvisioning(harness.env.client, input(), { taskQueue });
    const refusedInput = input();
    sim.configureNumber((refusedInput.connector.arguments as { phoneNumberId: string }).phoneNumberId, {
      outcome: 'error',
      errorMessage: 'number not verified',
    });
    const refused = await parseAndStartProvisioning(harness.env.client, refusedInput, { taskQueue });
    started.push(ready.workflowId, refused.workflowId);
    const [ok, failed] = await Promise.all([
      awaitResult(harness.env.client, ready.workflowId),
      awaitResult(harness.env.client, refused.workflowId),
    ]);
    assert.equal(ok.ok, true);
    assert.equal(failed.ok, false);

    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    // Workflow metrics travel through a sink flushed after the workflow task: wait until both outcomes are in.
    const { samples, text } = await waitFor(
      'both provisioning outcomes on /metrics',
      async () => {
        const page = await scrape(url);
        return sum(page.samples, 'provisionings_finished', { outcome: 'compensated' }) >= 1 &&
          sum(page.samples, 'provisionings_finished', { outcome: 'completed' }) >= 1
          ? page
          : undefined;
      },
      15_000,
      200,
    );
    // The SDK's own metrics (Core's names, `temporal_` prefix, snake_case labels).
    assert.ok(sum(samples, 'temporal_workflow_completed', { task_queue: taskQueue }) >= 1, text.slice(0, 2000));
    // Bird activities run on the deployment's rate-limited queues, served by the same process.
    const activitiesRun = [taskQueue, birdReadsQueue(taskQueue), birdWritesQueue(taskQueue)].reduce(
      (n, q) => n + sum(samples, 'temporal_activity_execution_latency_count', { task_queue: q }),
      0,
    );
    assert.ok(activitiesRun >= 4, `activities run: ${activitiesRun}`);
    assert.ok(
      sum(samples, 'temporal_activity_execution_latency_count', { task_queue: birdWritesQueue(taskQueue) }) >= 2,
      'creates and deletes on the writes queue',
    );
    const q = { taskQueue, workflowType: 'provisionChannel' };
    // The product's: provisionings by outcome, readiness wait, Bird calls by operation and status, 429s.
    assert.equal(sum(samples, 'provisionings_started', q), 2);
    assert.equal(sum(samples, 'provisionings_finished', { ...q, outcome: 'completed' }), 1);
    assert.equal(sum(samples, 'provisionings_finished', { ...q, outcome: 'compensated' }), 1);
    assert.equal(sum(samples, 'provisioning_readiness_wait_count', q), 1);
    const waited = sum(samples, 'provisioning_readiness_wait_sum', q);
    assert.ok(waited >= 250 && waited < 20_000, `readiness wait ${waited} ms (the simulator takes 300 ms)`);
    assert.equal(sum(samples, 'bird_api_requests', { operation: 'createConnector', status: '429' }), 1);
    assert.equal(sum(samples, 'bird_api_requests', { operation: 'createConnector', status: '201' }), 2);
    assert.equal(sum(samples, 'bird_api_rate_limited', { operation: 'createConnector' }), 1);
    assert.ok(sum(samples, 'bird_api_requests', { operation: 'getConnectorStatus', status: '200' }) >= 2);
    assert.equal(sum(samples, 'bird_api_requests', { operation: 'deleteConnector', status: '204' }), 1);
  });

  it('logs JSON lines with workflow id, run id, activity and attempt, and never a secret', () => {
    const lines = worker.json();
    assert.ok(lines.length >= 3, worker.lines.join('\n'));
    assert.ok(lines.every((l) => typeof l.level === 'string' && typeof l.time === 'string' && l.service === 'worker'));
    const activityLine = lines.find(
      (l) =>
        typeof l.activityType === 'string' &&
        typeof l.workflowId === 'string' &&
        typeof l.runId === 'string' &&
        typeof l.attempt === 'number',
    );
    assert.ok(activityLine, `an activity log line with its context:\n${worker.lines.slice(0, 40).join('\n')}`);
    const workflowLine = lines.find(
      (l) => typeof l.workflowType === 'string' && typeof l.runId === 'string' && l.activityType === undefined,
    );
    assert.ok(workflowLine, 'a workflow log line with its context');
    for (const line of worker.lines) {
      assert.ok(!line.includes(accessKey), `access key in a log line: ${line.slice(0, 200)}`);
      assert.ok(!line.includes(signingKey), `signing key in a log line: ${line.slice(0, 200)}`);
    }
  });

  it('SIGTERM drains: the in-flight Bird call finishes and is reported, health turns 503, exit code 0', async () => {
    sim.setFaults({ latencyMs: 2_500 });
    const run = await parseAndStartProvisioning(harness.env.client, input(), { taskQueue });
    started.push(run.workflowId);
    const handle = harness.env.client.workflow.getHandle(run.workflowId);
    await waitFor(
      'createConnector in flight on the worker',
      async () => {
        const d = await handle.describe();
        return (
          d.raw.pendingActivities?.some(
            (a) => a.state === proto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
          ) || undefined
        );
      },
      15_000,
      50,
    );
    worker.child.kill('SIGTERM');
    // The signal is handled asynchronously: health turns 503 (draining) or the listener closes (drained) soon after.
    const drainingHealth = await waitFor(
      'health to leave 200 after SIGTERM',
      async () => {
        const status = await fetch(`http://127.0.0.1:${healthPort}/healthz`).then(
          (r) => r.status,
          () => 'closed' as const,
        );
        return status === 200 ? undefined : status;
      },
      10_000,
      20,
    );
    const exit = await worker.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, worker.lines.slice(-20).join('\n'));
    assert.ok(drainingHealth === 503 || drainingHealth === 'closed', `health while draining: ${drainingHealth}`);
    assert.ok(
      worker.json().some((l) => l.msg === 'Worker state changed' && l.state === 'DRAINING'),
      'the SDK reports draining',
    );
    assert.ok(worker.json().some((l) => l.msg === 'worker drained and stopped'));

    const history = await handle.fetchHistory();
    const scheduled = history.events!.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    assert.equal(scheduled?.activityTaskScheduledEventAttributes?.activityType?.name, 'createConnector');
    const startedEvent = history.events!.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    const completed = history.events!.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    assert.ok(completed, 'the in-flight activity completed instead of being abandoned');
    assert.equal(
      startedEvent?.activityTaskStartedEventAttributes?.attempt,
      1,
      'first attempt, not a retry after a timeout',
    );
    assert.equal(sim.connectors().filter((c) => !c.deletedAt).length >= 1, true);
    sim.setFaults({ latencyMs: 0 });
  });
});
