/**
 * Benchmark of bulk onboarding: `npm run bench [-- --numbers 10000]`. Figures, not assertions: targets live here,
 * never in timed tests.
 *
 * On a real dev server (its own, in memory, with task-queue fairness), against the simulator with realistic settings
 * (50 ms API latency, activation 30–120 s scaled down by --time-scale, Bird's 50 GET/s and 500 POST/s per workspace
 * enforced as 429s), with the worker as a real process (npm run worker, default rate limits): one bulk run of N
 * numbers by polling and one by webhook (through the webhook receiver). For each it prints wall time, numbers per
 * second and the ratio to the lower bound that the rate limits and the activation delay set; Bird calls per number by
 * operation and the 429s; the largest history of a child and of a bulk run; the worker's peak RSS; and checks there
 * is no duplicate and no orphan connector. Then, with no activation delay and no rate limit, sustained provisionings
 * per second, beside a baseline of the same workflows with no-op activities on the same server in the same run.
 * The options are in scripts/bench/options.ts, the modes (also `offboard`, `bulk-offboard`, `apply`) in
 * scripts/bench/modes.ts.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BirdClient } from '../src/bird/client';
import { BIRD_RATE_LIMITS } from '../src/bird/rate-limits/budget';
import { BirdSimulator } from '../src/bird-sim';
import { BulkStore } from '../src/bulk/store';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { Secret } from '../src/base/secret';
import { buildWebhookReceiver } from '../src/webhook-receiver/server';
import { temporalStatusRouter } from '../src/webhook-receiver/status-router';
import { benchInventory, type BenchContext } from './bench/context';
import { fairnessScenario } from './bench/fairness';
import { forwardedWorkerEnv } from './bench/limiter-models';
import { memoryScenario } from './bench/memory';
import { runModes } from './bench/modes';
import { parseBenchOptions, positiveInts, type BenchOptions } from './bench/options';
import { throughputScenario } from './bench/throughput';

const opts = parseBenchOptions();
const ROOT = resolve(__dirname, '..');
const PUBLIC_URL = 'https://hooks.bench.example/bird/events';
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cli = process.env.TEMPORAL_CLI ?? resolve(ROOT, '.tools/bin/temporal');
  say(`starting a dev server (${cli}) …`);
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      searchAttributes: [...PROVISIONING_SEARCH_ATTRIBUTES],
      extraArgs: ['--dynamic-config-value', 'matching.enableFairness=true'],
      log: { format: 'pretty', level: 'error' },
    },
  });
  const client = env.client;
  const address = String(env.connection.options.address);
  const accessKey = randomBytes(18).toString('base64url');
  const signingKey = randomBytes(24).toString('base64url');
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const store = new BulkStore(await mkdtemp(join(tmpdir(), 'bench-bulk-')));
  const sim = await BirdSimulator.start({
    accessKeys: [accessKey],
    workspaces: [{ id: workspaceId, organizationId }],
    faults: { latencyMs: opts.latencyMs },
    rateLimits: { ...BIRD_RATE_LIMITS, getPerSecond: opts.getLimit },
    webhookRetryScale: 0.002,
    deprovisioningDelayMs: opts.deprovisioningMs,
  });
  const receiver = buildWebhookReceiver({
    signingKey: new Secret(signingKey),
    publicUrl: PUBLIC_URL,
    route: temporalStatusRouter(client),
  });
  sim.routeDeliveries('https://hooks.bench.example', await receiver.listen({ host: '127.0.0.1', port: 0 }));
  // The receiver's workspace-wide feed, registered with Bird directly (the demo does it through the entity workflow).
  await new BirdClient({ baseUrl: sim.url, accessKey: new Secret(accessKey) }).createWebhookSubscription(
    organizationId,
    workspaceId,
    { service: 'channels', event: 'channel.updated', url: PUBLIC_URL, signingKey },
  );

  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const worker = spawnWorker(opts, { address, taskQueue, simUrl: sim.url, accessKey, signingKey, storeDir: store.dir });
  const dir = await mkdtemp(join(tmpdir(), 'bench-files-'));
  const ws = { workspaceId, organizationId };
  const inventory: BenchContext['inventory'] = (name, numbers, over) => benchInventory(dir, name, numbers, ws, over);
  const ctx: BenchContext = { client, address, accessKey, sim, store, taskQueue, ...ws, dir, opts, inventory, say };
  try {
    await runModes(ctx);
    say(`\nworker peak RSS: ${peakRssMiB(worker.pid!)} MiB (VmHWM of the worker process, both runs)`);
  } finally {
    worker.kill('SIGTERM');
  }
  if (opts.throughputNumbers > 0)
    await throughputScenario(
      {
        ...{ client, address, accessKey, signingKey, workspaceId, organizationId, store, inventory, say },
        concurrency: opts.concurrency ?? 1_000,
      },
      opts.throughputNumbers,
      positiveInts(opts.throughputCaches),
      opts.throughputTracing,
    );
  if (opts.fairnessNumbers > 0) await fairnessScenario(ctx);
  const memoryLevels = positiveInts(opts.memoryLevels);
  if (memoryLevels.length || opts.burstNumbers > 0)
    await memoryScenario({ client, address, root: ROOT, accessKey, say }, memoryLevels, opts.burstNumbers);
  await receiver.close();
  await sim.close();
  await env.teardown();
}

/** The worker as a real process (npm run worker), with the bench's GET limit and the settings forwarded to it. */
function spawnWorker(
  o: BenchOptions,
  w: { address: string; taskQueue: string; simUrl: string; accessKey: string; signingKey: string; storeDir: string },
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: w.address,
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: w.taskQueue,
      BIRD_API_BASE_URL: w.simUrl,
      BIRD_ACCESS_KEY: w.accessKey,
      BIRD_SECRET_WEBHOOK_SIGNING_KEY: w.signingKey,
      BULK_STORE_DIR: w.storeDir,
      WORKER_HEALTH_PORT: '0',
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      BIRD_RATE_LIMIT_GET_PER_SECOND: String(o.getLimit),
      ...forwardedWorkerEnv(),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
