/**
 * The worker and the webhook receiver starting as real processes when things are not as they should be: Temporal
 * not there yet (it "comes up" later: a TCP forwarder to the test dev server opens on the address they were given),
 * the receiver's port taken, a bad configuration. Each problem must be one clear log line, never a stack trace.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookHeaders } from '../src/bird/events';
import { signWebhook } from '../src/bird/signature';
import { BirdSimulator } from '../src/bird-sim';
import { awaitResult, parseAndStartProvisioning } from '../src/client/provisioning-client';
import { startNodeProcess, scrape, sum, type NodeProcess } from './helpers/processes';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy';
import { freePort, temporal, type TemporalHarness } from './helpers/temporal';

const PUBLIC_URL = 'https://hooks.startup.example/bird/events';
const STACK_LINE = /^\s+at |TransportError|tonic::/;

describe('worker and receiver start-up (real processes)', function () {
  this.timeout(120_000);
  const accessKey = `sim-key-${randomUUID()}`;
  const signingKey = `signing-key-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  let harness: TemporalHarness;
  let sim: BirdSimulator;
  let bundlePath: string;
  const processes: NodeProcess[] = [];
  const proxies: TcpProxy[] = [];

  before(async () => {
    harness = await temporal();
    sim = await BirdSimulator.start({
      provisioningDelayMs: 200,
      accessKeys: [accessKey],
      workspaces: [{ id: workspaceId, organizationId }],
    });
    // The bundle the harness built, as a file: the worker process loads it instead of bundling at start-up.
    bundlePath = join(await mkdtemp(join(tmpdir(), 'startup-')), 'workflow-bundle.js');
    await writeFile(bundlePath, harness.workflowBundle.code);
  });
  after(async () => {
    for (const p of processes) p.kill();
    for (const p of proxies) await p.close();
    await sim?.close();
  });

  function spawn(entry: string, env: Record<string, string>): NodeProcess {
    const p = startNodeProcess(
      entry,
      { TEMPORAL_NAMESPACE: 'default', TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', ...env },
      { node: process.execPath, execArgv: ['--import', 'tsx'] },
    );
    processes.push(p);
    return p;
  }
  const noStack = (p: NodeProcess) => {
    for (const line of p.lines) assert.doesNotMatch(line, STACK_LINE, line);
    for (const line of p.lines)
      assert.ok(!line.includes(accessKey) && !line.includes(signingKey), 'no secret in the output');
  };
  async function workerEnv(address: string, taskQueue: string): Promise<Record<string, string>> {
    return {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      BIRD_API_BASE_URL: sim.url,
      BIRD_ACCESS_KEY: accessKey,
      WORKER_HEALTH_PORT: String(await freePort()),
      WORKER_METRICS_PORT: String(await freePort()),
      WORKFLOW_BUNDLE_PATH: bundlePath,
    };
  }

  describe('worker', () => {
    it('Temporal unreachable at start: one line per attempt naming address and namespace, backoff, then it connects and serves', async () => {
      const port = await freePort();
      const address = `127.0.0.1:${port}`;
      const taskQueue = `startup-${randomUUID()}`;
      const env = await workerEnv(address, taskQueue);
      const worker = spawn('src/worker.ts', env);
      await worker.waitForLine('the second attempt', (l) => l.includes('"attempt":2'), 30_000);
      const health = await fetch(`http://127.0.0.1:${env.WORKER_HEALTH_PORT}/healthz`);
      assert.equal(health.status, 503);
      assert.deepEqual(await health.json(), { state: 'CONNECTING' });

      proxies.push(await startTcpProxy(port, harness.address));
      await worker.waitForLine('worker started', (l) => l.includes('"worker started"'), 60_000);
      const attempts = worker
        .json()
        .filter((l) => typeof l.msg === 'string' && l.msg.startsWith('cannot reach Temporal'));
      assert.ok(attempts.length >= 2);
      for (const [i, line] of attempts.entries()) {
        assert.equal(line.level, 'warn');
        assert.deepEqual([line.address, line.namespace, line.attempt], [address, 'default', i + 1]);
        assert.equal(
          line.msg,
          `cannot reach Temporal at ${address} (namespace default): connection refused; retrying in ${Number(line.retryInMs) / 1000} s`,
        );
      }
      const delays = attempts.map((l) => Number(l.retryInMs));
      assert.deepEqual(delays.slice(0, 3), [1_000, 2_000, 4_000].slice(0, delays.length), 'doubling from 1 s');
      assert.ok(
        worker
          .json()
          .some((l) => l.msg === `connected to Temporal at ${address} after ${attempts.length + 1} attempts`),
      );

      const input = {
        workspaceId,
        organizationId,
        connector: {
          connectorTemplateRef: 'sms-messagebird:1',
          name: 'Late start',
          arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
        },
        readiness: { mode: 'poll' as const, initialPollInterval: '100ms', maxPollInterval: '500ms', deadline: '20s' },
      };
      const run = await parseAndStartProvisioning(harness.env.client, input, { taskQueue });
      assert.equal((await awaitResult(harness.env.client, run.workflowId)).ok, true);
      noStack(worker);
      worker.child.kill('SIGTERM');
      assert.deepEqual(await worker.exited, { code: 0, signal: null });
      console.log(`      retry delays logged before Temporal appeared: ${delays.join(', ')} ms`);
    });

    it("run from sources, it bundles its workflows and logs that as one short info line (webpack's report only at debug)", async () => {
      const env = await workerEnv(harness.address, `startup-${randomUUID()}`);
      const { WORKFLOW_BUNDLE_PATH: _prebuilt, ...fromSources } = env;
      const worker = spawn('src/worker.ts', fromSources);
      await worker.waitForLine('worker started', (l) => l.includes('"worker started"'), 110_000);
      const lines = worker.json();
      const bundled = lines.filter((l) => String(l.msg).includes('bundle'));
      assert.deepEqual(
        bundled.map((l) => [l.level, l.msg]),
        [['info', 'workflow bundle built from sources']],
        worker.lines.join('\n').slice(0, 2_000),
      );
      assert.ok(Number(bundled[0]!.bundleKiB) > 100 && Number(bundled[0]!.bundleMs) > 0, JSON.stringify(bundled[0]));
      for (const line of worker.lines) {
        assert.ok(line.length < 1_000, `a ${line.length}-character log line: ${line.slice(0, 200)}…`);
        assert.doesNotMatch(line, /webpack|modules by path|orphan modules|\\n/, line.slice(0, 300));
      }
      worker.child.kill('SIGTERM');
      assert.deepEqual(await worker.exited, { code: 0, signal: null });
    });

    it('SIGTERM while it waits for Temporal: stops at once, exit 0', async () => {
      const worker = spawn(
        'src/worker.ts',
        await workerEnv(`127.0.0.1:${await freePort()}`, `startup-${randomUUID()}`),
      );
      await worker.waitForLine('the first attempt', (l) => l.includes('cannot reach Temporal'), 30_000);
      const t0 = Date.now();
      worker.child.kill('SIGTERM');
      assert.deepEqual(await worker.exited, { code: 0, signal: null });
      assert.ok(worker.json().some((l) => l.msg === 'stopped before Temporal could be reached'));
      noStack(worker);
      console.log(`      SIGTERM to exit while waiting for Temporal: ${Date.now() - t0} ms`);
    });

    it('a bad configuration is one line naming every bad variable, exit 2', async () => {
      const env = await workerEnv('127.0.0.1:1', 'q');
      const worker = spawn('src/worker.ts', {
        ...env,
        BIRD_ACCESS_KEY: '',
        LOG_LEVEL: 'loud',
        WORKER_HEALTH_PORT: 'ninety',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        OTEL_TRACES_SAMPLER: 'sometimes',
      });
      assert.deepEqual(await worker.exited, { code: 2, signal: null });
      assert.equal(worker.lines.length, 1, worker.lines.join('\n'));
      const [line] = worker.json();
      assert.equal(line?.level, 'error');
      assert.match(
        String(line?.msg),
        /^invalid configuration: BIRD_ACCESS_KEY: .*; WORKER_HEALTH_PORT: .*; LOG_LEVEL: .*; OTEL_TRACES_SAMPLER: "sometimes" is not one of /,
      );
    });

    it('tracing asked for with a sampler ratio out of range: one line naming OTEL_TRACES_SAMPLER_ARG, exit 2', async () => {
      const env = await workerEnv('127.0.0.1:1', 'q');
      const worker = spawn('src/worker.ts', {
        ...env,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '2',
      });
      assert.deepEqual(await worker.exited, { code: 2, signal: null });
      assert.equal(worker.lines.length, 1, worker.lines.join('\n'));
      assert.match(
        String(worker.json()[0]?.msg),
        /^invalid configuration: OTEL_TRACES_SAMPLER_ARG: "2" is not a ratio between 0 and 1$/,
      );
    });
  });

  describe('receiver', () => {
    function receiverEnv(address: string, port: number): Record<string, string> {
      return {
        TEMPORAL_ADDRESS: address,
        WEBHOOK_SIGNING_KEY: signingKey,
        WEBHOOK_PUBLIC_URL: PUBLIC_URL,
        RECEIVER_PORT: String(port),
      };
    }
    /** An event of no provisioning, sent ten minutes ago: once Temporal answers, the receiver looks it up and says 202. */
    function deliver(port: number): Promise<Response> {
      const body = JSON.stringify({
        service: 'channels',
        event: 'channel.updated',
        payload: { channelId: randomUUID(), status: 'ok', stage: 'active' },
      });
      const timestamp = String(Math.floor(Date.now() / 1000) - 600);
      return fetch(`http://127.0.0.1:${port}/bird/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WebhookHeaders.timestamp]: timestamp,
          [WebhookHeaders.requestId]: randomUUID(),
          [WebhookHeaders.signature]: signWebhook(signingKey, timestamp, PUBLIC_URL, body),
        },
        body,
      });
    }

    it('its port in use: one line naming host:port, exit 1, no stack', async () => {
      const taken: Server = createServer();
      const port = await freePort();
      await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
      try {
        const receiver = spawn('src/webhook-receiver/main.ts', receiverEnv(harness.address, port));
        assert.deepEqual(await receiver.exited, { code: 1, signal: null });
        const errors = receiver.json().filter((l) => l.level === 'error');
        assert.equal(errors.length, 1, receiver.lines.join('\n'));
        assert.equal(
          errors[0]!.msg,
          `cannot listen on 127.0.0.1:${port}: the port is already in use (set RECEIVER_HOST/RECEIVER_PORT)`,
        );
        assert.ok(!receiver.lines.some((l) => l.includes('cannot reach Temporal')), 'the port is reported alone');
        noStack(receiver);
      } finally {
        taken.close();
      }
    });

    it('Temporal down at start: it listens and answers 503 (Bird retries), then routes once Temporal can be reached', async () => {
      const temporalPort = await freePort();
      const port = await freePort();
      const receiver = spawn('src/webhook-receiver/main.ts', receiverEnv(`127.0.0.1:${temporalPort}`, port));
      const listening = await receiver.waitForLine(
        'listening',
        (l) => l.includes('webhook receiver listening'),
        30_000,
      );
      assert.equal((JSON.parse(listening) as { temporal: string }).temporal, 'connecting');
      const early = await deliver(port);
      assert.equal(early.status, 503);
      await receiver.waitForLine(
        'a failed attempt',
        (l) => l.includes(`cannot reach Temporal at 127.0.0.1:${temporalPort} (namespace default): connection refused`),
        10_000,
      );

      proxies.push(await startTcpProxy(temporalPort, harness.address));
      await receiver.waitForLine(
        'connected',
        (l) => l.includes(`connected to Temporal at 127.0.0.1:${temporalPort}`),
        30_000,
      );
      const late = await deliver(port);
      assert.equal(late.status, 202, 'looked up in Temporal: no provisioning owns this channel');
      assert.deepEqual(await late.json(), { status: 'no-run' });
      const { samples } = await scrape(`http://127.0.0.1:${port}/metrics`);
      assert.equal(sum(samples, 'webhook_deliveries_total', { result: 'unavailable' }), 1);
      assert.equal(sum(samples, 'webhook_deliveries_total', { result: 'no-run' }), 1);
      receiver.child.kill('SIGTERM');
      assert.deepEqual(await receiver.exited, { code: 0, signal: null }, receiver.lines.slice(-8).join('\n'));
      noStack(receiver);
    });

    it('a bad configuration is one line, exit 2', async () => {
      const receiver = spawn('src/webhook-receiver/main.ts', {
        ...receiverEnv(harness.address, 0),
        WEBHOOK_SIGNING_KEY: 'short',
        TEMPORAL_ADDRESS: 'no-port',
      });
      assert.deepEqual(await receiver.exited, { code: 2, signal: null });
      assert.equal(receiver.lines.length, 1, receiver.lines.join('\n'));
      assert.match(
        String(receiver.json()[0]?.msg),
        /^invalid configuration: WEBHOOK_SIGNING_KEY: must be at least 16 characters; TEMPORAL_ADDRESS: must be host:port/,
      );
      noStack(receiver);
    });
  });
});
