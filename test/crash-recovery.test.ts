/**
 * A worker killed mid-request (SIGKILL, a real process): the activity it was running is retried by another
 * worker within seconds, because every Bird activity heartbeats, and the provisioning still ends with exactly one
 * connector. Prints the recovery time it measured (no timed assertion: figures belong in reports).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { temporal } from './helpers/temporal';
import { waitFor } from './helpers/wait';

const ROOT = resolve(__dirname, '..');

describe('crash recovery with real worker processes', function () {
  this.timeout(150_000);
  let stack: Stack;
  const workers: ChildProcess[] = [];
  const taskQueue = `crash-${randomUUID()}`;

  before(async function () {
    this.timeout(120_000);
    stack = await startStack();
    const { env } = await temporal();
    const startWorker = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_TASK_QUEUE: taskQueue,
          BIRD_API_BASE_URL: stack.sim.url,
          BIRD_ACCESS_KEY: stack.secrets.accessKey,
          BIRD_REQUEST_TIMEOUT_MS: '10000',
          // Two workers on one machine: each takes free ports for its health and metrics listeners.
          WORKER_HEALTH_PORT: '0',
          WORKER_METRICS_PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      workers.push(child);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(
        'the worker to start',
        () => (/"msg":"worker started"/.test(out) ? true : child.exitCode !== null ? assert.fail(out) : undefined),
        90_000,
        200,
      );
      return child;
    };
    await Promise.all([startWorker(), startWorker()]);
  });
  after(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await stack?.closeCheckingHistories();
  });

  it('SIGKILL during a create: another worker retries it within seconds, one connector results', async () => {
    // Bird answers slowly, so the create is in flight when its worker dies.
    stack.sim.setFaults({ latencyMs: 3_000 });
    const input = smsInput(stack, {
      readiness: { mode: 'poll', initialPollInterval: '200ms', maxPollInterval: '1s', deadline: '60s' },
    });
    const phoneNumberId = (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
    const { workflowId, handle } = await parseAndStartProvisioning(stack.client, input, { taskQueue });
    stack.startedWorkflowIds.push(workflowId);
    const running = await waitFor(
      'the create to be running on a worker',
      async () => {
        const d = await handle.describe();
        const a = d.raw.pendingActivities?.find(
          (p) => p.activityType?.name === 'createConnector' && p.lastWorkerIdentity,
        );
        return a ?? undefined;
      },
      30_000,
      50,
    );
    const pid = Number(/^(\d+)@/.exec(running.lastWorkerIdentity!)?.[1]);
    const victim = workers.find((w) => w.pid === pid);
    assert.ok(victim, `the create runs on one of our worker processes (${running.lastWorkerIdentity})`);
    await new Promise((r) => setTimeout(r, 500)); // the POST is on the wire
    const killedAt = Date.now();
    victim.kill('SIGKILL');

    const retried = await waitFor(
      'the create to be retried on the other worker',
      async () => {
        const d = await handle.describe();
        const a = d.raw.pendingActivities?.find(
          (p) => p.activityType?.name === 'createConnector' && (p.attempt ?? 1) >= 2 && p.lastStartedTime,
        );
        if (a) return a;
        // It may even have completed already.
        const history = await handle.fetchHistory();
        const done = history.events?.find((e) => e.activityTaskCompletedEventAttributes);
        return done ? { lastStartedTime: undefined, attempt: 2 } : undefined;
      },
      60_000,
      100,
    );
    const startedMs = retried.lastStartedTime
      ? Number(retried.lastStartedTime.seconds) * 1000 + Math.floor((retried.lastStartedTime.nanos ?? 0) / 1e6)
      : Date.now();
    console.log(
      `      recovery: the killed worker's create was retried ${((startedMs - killedAt) / 1000).toFixed(1)} s after SIGKILL`,
    );

    stack.sim.setFaults({ latencyMs: 0 });
    const outcome = await awaitResult(stack.client, workflowId);
    assert.ok(outcome.ok, !outcome.ok ? outcome.reason : '');
    const live = stack.sim.connectors().filter((c) => !c.deletedAt && c.number?.numberId === phoneNumberId);
    assert.equal(live.length, 1, 'exactly one connector for the number');
    assert.equal(live[0]!.id, outcome.result.connectorId);

    // What makes it fast: the create is scheduled with a heartbeat timeout of seconds, not only a start-to-close.
    const scheduled = (await handle.fetchHistory()).events?.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'createConnector',
    );
    const heartbeat = scheduled?.activityTaskScheduledEventAttributes?.heartbeatTimeout;
    assert.ok(
      heartbeat && Number(heartbeat.seconds ?? 0) > 0 && Number(heartbeat.seconds) <= 5,
      `heartbeat timeout ${JSON.stringify(heartbeat)}`,
    );
  });
});
