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
 */
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { BirdClient } from '../src/bird/client';
import { BIRD_RATE_LIMITS } from '../src/bird/rate-limits/budget';
import { BirdSimulator } from '../src/bird-sim';
import { BulkStore } from '../src/bulk/store';
import { awaitBulk, bulkReport, getBulkProgress, prepareInventory, startBulk } from '../src/client/bulk-client';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { Secret } from '../src/base/secret';
import { staticSecretStore } from '../src/config/secrets';
import { buildWebhookReceiver } from '../src/webhook-receiver/server';
import { temporalStatusRouter } from '../src/webhook-receiver/status-router';
import { createProvisioningWorker, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../src/worker/factory';
import { clusterFigures } from './bench/cluster-figures';
import { forwardedWorkerEnv, limiterModels, underBothLimiterModels } from './bench/limiter-models';
import { memoryScenario } from './bench/memory';
import { throughputScenario } from './bench/throughput';
import { getBoundFigures } from './bench/get-bound';
import { sampleWindow } from './bench/window-sampler';
import { detectionLatency } from './bench/detection';
import { applyScenario } from './bench/apply';
import { offboardScenario } from './bench/offboard';

const int = (v: string) => Number.parseInt(v, 10);
const opts = new Command()
  .description('Benchmark bulk onboarding against the simulator on a real Temporal dev server')
  .option('--numbers <n>', 'numbers per bulk run', int, 1_000)
  .option(
    '--time-scale <f>',
    "Bird's activation time (30–120 s) and the poll intervals are multiplied by this",
    Number.parseFloat,
    0.05,
  )
  .option('--latency-ms <n>', 'simulated Bird API latency', int, 50)
  .option(
    '--concurrency <n>',
    "bulk window (provisionings at once; default: the product's own, as a user gets it)",
    int,
  )
  .option(
    '--modes <list>',
    'modes to run: readiness modes (poll, webhook, both), offboard (provision N, then offboard them), or apply (apply an inventory of N, then again to the converged workspace)',
    'poll,webhook,both',
  )
  .option('--deprovisioning-ms <n>', "Bird's time from a connector's DELETE to its deprovisioned state", int, 1_000)
  .option('--throughput-numbers <n>', 'numbers for the throughput comparison (0 skips it)', int, 1_000)
  .option(
    '--throughput-caches <list>',
    "workflow cache sizes to compare in the throughput run, e.g. 100,2310 (empty: the worker environment's)",
    '',
  )
  .option('--throughput-tracing', 'compare the throughput with tracing off and on (sampling 100%) instead', false)
  .option('--fairness-numbers <n>', 'numbers per workspace for the fairness comparison (0 skips it)', int, 60)
  .option(
    '--get-limit <n>',
    "Bird's GET limit per second, for the simulator and the worker (scaled down, a small run is bound by it)",
    Number.parseFloat,
    BIRD_RATE_LIMITS.getPerSecond,
  )
  .option(
    '--memory-levels <list>',
    "provisionings held in flight while the worker's memory is measured (empty skips it)",
    '100,1000,5000',
  )
  .option(
    '--limiters <list>',
    "how Bird's limit counts, each a run of every mode: sliding-window (strict), token-bucket",
    'sliding-window,token-bucket',
  )
  .option('--burst-numbers <n>', 'starts at once into a fresh worker, for its peak memory (0 skips it)', int, 5_000)
  .parse()
  .opts<{
    numbers: number;
    timeScale: number;
    latencyMs: number;
    concurrency?: number;
    modes: string;
    deprovisioningMs: number;
    throughputNumbers: number;
    throughputCaches: string;
    throughputTracing: boolean;
    fairnessNumbers: number;
    memoryLevels: string;
    burstNumbers: number;
    getLimit: number;
    limiters: string;
  }>();

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
  const storeDir = await mkdtemp(join(tmpdir(), 'bench-bulk-'));
  const store = new BulkStore(storeDir);
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
    {
      service: 'channels',
      event: 'channel.updated',
      url: PUBLIC_URL,
      signingKey,
    },
  );

  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: taskQueue,
      BIRD_API_BASE_URL: sim.url,
      BIRD_ACCESS_KEY: accessKey,
      BIRD_SECRET_WEBHOOK_SIGNING_KEY: signingKey,
      BULK_STORE_DIR: storeDir,
      WORKER_HEALTH_PORT: '0',
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      BIRD_RATE_LIMIT_GET_PER_SECOND: String(opts.getLimit),
      ...forwardedWorkerEnv(),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const dir = await mkdtemp(join(tmpdir(), 'bench-files-'));
  const results: Record<string, unknown>[] = [];
  try {
    for (const mode of opts.modes
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean) as Array<'poll' | 'webhook' | 'both' | 'offboard' | 'apply'>) {
      const scenario = () =>
        mode === 'offboard'
          ? offboardScenario({
              client,
              sim,
              store,
              taskQueue,
              workspaceId,
              numbers: opts.numbers,
              timeScale: opts.timeScale,
              inventory: (name, numbers, over) =>
                benchInventory(dir, name, numbers, { workspaceId, organizationId }, over),
              say,
            })
          : mode === 'apply'
            ? applyScenario({
                client,
                sim,
                store,
                taskQueue,
                numbers: opts.numbers,
                timeScale: opts.timeScale,
                inventory: (name, numbers, over) =>
                  benchInventory(dir, name, numbers, { workspaceId, organizationId }, over),
                say,
              })
            : bulkScenario(mode);
      results.push(
        await underBothLimiterModels(
          sim,
          { ...BIRD_RATE_LIMITS, getPerSecond: opts.getLimit },
          mode,
          scenario,
          say,
          limiterModels(opts.limiters),
        ),
      );
    }
    say(`\nworker peak RSS: ${peakRssMiB(worker.pid!)} MiB (VmHWM of the worker process, both runs)`);
  } finally {
    worker.kill('SIGTERM');
  }
  if (opts.throughputNumbers > 0) {
    const caches = opts.throughputCaches
      .split(',')
      .map((v) => int(v.trim()))
      .filter((v) => v > 0);
    const inventory = (name: string, numbers: string[], over: Record<string, unknown>) =>
      benchInventory(dir, name, numbers, { workspaceId, organizationId }, over);
    await throughputScenario(
      {
        client,
        address,
        accessKey,
        signingKey,
        workspaceId,
        organizationId,
        store,
        concurrency: opts.concurrency ?? 1_000,
        inventory,
        say,
      },
      opts.throughputNumbers,
      caches,
      opts.throughputTracing,
    );
  }
  if (opts.fairnessNumbers > 0) await fairnessScenario();
  const memoryLevels = opts.memoryLevels
    .split(',')
    .map((v) => int(v.trim()))
    .filter((v) => v > 0);
  if (memoryLevels.length || opts.burstNumbers > 0)
    await memoryScenario({ client, address, root: ROOT, accessKey, say }, memoryLevels, opts.burstNumbers);
  await receiver.close();
  await sim.close();
  await env.teardown();

  async function bulkScenario(mode: 'poll' | 'webhook' | 'both'): Promise<Record<string, unknown>> {
    const n = opts.numbers;
    const s = opts.timeScale;
    const numbers: string[] = Array.from({ length: n }, () => randomUUID());
    const delays = numbers.map(() => Math.round((30 + Math.random() * 90) * 1000 * s));
    numbers.forEach((num, i) => sim.configureNumber(num, { outcome: 'active', delayMs: delays[i]! }));
    const inventory = await benchInventory(
      dir,
      mode,
      numbers,
      { workspaceId, organizationId },
      {
        readiness:
          mode !== 'webhook'
            ? {
                mode,
                initialPollInterval: Math.max(100, Math.round(2_000 * s)),
                backoffCoefficient: 2,
                maxPollInterval: Math.max(100, Math.round(60_000 * s)),
                deadline: '30m',
              }
            : { mode: 'webhook', deadline: '30m' },
        subscriptions: [
          {
            service: 'channels',
            event: 'channel.updated',
            url: 'https://hooks.example.com/app',
            signingKeyRef: 'WEBHOOK_SIGNING_KEY',
          },
        ],
      },
    );
    const callsBefore = sim.calls().length;
    say(
      `\n[${mode}] ${n} numbers, window ${opts.concurrency ?? 'default'}, ${opts.getLimit} GET/s, activation ${Math.round(30 * s * 10) / 10}–${Math.round(120 * s * 10) / 10} s …`,
    );
    const t0 = Date.now();
    const started = await startBulk(client, store, inventory, { taskQueue, concurrency: opts.concurrency });
    const sampler = sampleWindow(client, started.workflowId, `${taskQueue}-bird-reads`);
    const end = await awaitBulk(client, started.workflowId);
    const { figures: windowFigures, backlog } = sampler.stop();
    const wallS = (Date.now() - t0) / 1000;
    const limits = { getPerSecond: opts.getLimit, postPerSecond: BIRD_RATE_LIMITS.postPerSecond };
    if (end.status !== 'completed') throw new Error(`bulk run ended ${end.status}: ${JSON.stringify(end)}`);
    const report = await bulkReport(store, await getBulkProgress(client, started.workflowId));
    const calls = sim.calls().slice(callsBefore);

    const byOp: Record<string, number> = {};
    for (const c of calls) byOp[c.operationId ?? 'unknown'] = (byOp[c.operationId ?? 'unknown'] ?? 0) + 1;
    const rateLimited = calls.filter((c) => c.status === 429).length;
    // The fastest Bird allows the calls the run chose to make: its GETs at the GET limit, its writes at the POST limit.
    const bound = getBoundFigures({ calls, startedAt: t0, wallSeconds: wallS, backlog, ...limits });

    const numberSet = new Set<string>(numbers);
    const made = sim
      .connectors()
      .filter((c) => c.workspaceId === workspaceId && c.number && numberSet.has(c.number.numberId));
    const perNumber = new Map<string, number>();
    for (const c of made) perNumber.set(c.number!.numberId, (perNumber.get(c.number!.numberId) ?? 0) + 1);
    const reported = new Set(report.map((r) => r.connectorId));
    const histories = await largestHistories(client, started.workflowId);
    const detection = await detectionLatency(client, sim, workspaceId, numbers);

    const cluster = await clusterFigures({
      client,
      bulkWorkflowId: started.workflowId,
      numbers: n,
      calls,
      activationSeconds: Math.max(...delays) / 1000 / s,
      // Bird's GET budget as this run spent it, when that budget is what bound the run.
      getEfficiency: bound.boundByGets && opts.getLimit < BIRD_RATE_LIMITS.getPerSecond ? bound.getBudgetSpent : 1,
    });
    const figures = {
      mode,
      numbers: n,
      outcomes: countBy(report.map((r) => r.outcome)),
      wallSeconds: +wallS.toFixed(1),
      numbersPerSecond: +(n / wallS).toFixed(1),
      window: opts.concurrency ?? 'default',
      ...windowFigures,
      getLimit: opts.getLimit,
      ...bound,
      birdCallsPerNumber: Object.fromEntries(Object.entries(byOp).map(([op, k]) => [op, +(k / n).toFixed(3)])),
      rateLimited429: rateLimited,
      rateLimitedShare: `${((rateLimited / Math.max(1, calls.length)) * 100).toFixed(2)}%`,
      ...cluster,
      ...detection,
      ...histories,
      duplicates: [...perNumber.values()].filter((k) => k > 1).length,
      orphans: made.filter((c) => !c.deletedAt && !reported.has(c.id)).length,
      numbersWithoutConnector: numbers.filter((num) => !made.some((c) => c.number!.numberId === num && !c.deletedAt))
        .length,
    };
    say(JSON.stringify(figures, null, 2));
    return figures;
  }

  /**
   * Two workspaces onboarding at once, with Bird's limits scaled down (10 GET/s and 10 POST/s per workspace) so the
   * limit is what bounds the run: one budget shared by the deployment, then one per workspace (fairness keys).
   */
  async function fairnessScenario(): Promise<void> {
    const n = opts.fairnessNumbers;
    const limits = { getPerSecond: 10, postPerSecond: 10 };
    say(
      `\n[fairness] two workspaces × ${n} numbers at once, polling every 200 ms, Bird limited to ${limits.getPerSecond} GET/s and ${limits.postPerSecond} POST/s per workspace`,
    );
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    });
    const connection = await NativeConnection.connect({ address });
    for (const scope of ['deployment', 'workspace'] as const) {
      const workspaces = [randomUUID(), randomUUID()].map((id) => ({ workspaceId: id, organizationId }));
      const limitedSim = await BirdSimulator.start({
        accessKeys: [accessKey],
        workspaces: workspaces.map((w) => ({ id: w.workspaceId, organizationId })),
        provisioningDelayMs: 1_000,
        rateLimits: limits,
      });
      const queue = `bench-fair-${scope}-${randomUUID().slice(0, 8)}`;
      const w = await createProvisioningWorker({
        connection,
        namespace: 'default',
        taskQueue: queue,
        bird: new BirdClient({ baseUrl: limitedSim.url, accessKey: new Secret(accessKey) }),
        secrets: staticSecretStore({}),
        bulkStore: store,
        workflowBundle,
        // The server's limiter lets short bursts through: the workers get a little less than Bird allows.
        birdRateLimits: { getPerSecond: limits.getPerSecond * 0.8, postPerSecond: limits.postPerSecond * 0.8 },
        rateLimitScope: scope === 'workspace' ? { scope, workspacesAtFullRate: 2 } : { scope },
      });
      const running = w.run();
      const t0 = Date.now();
      const runs = await Promise.all(
        workspaces.map(async (ws, i) => {
          const numbers = Array.from({ length: n }, () => randomUUID());
          const inventory = await benchInventory(dir, `${queue}-${i}`, numbers, ws, {
            readiness: {
              mode: 'poll',
              initialPollInterval: 200,
              backoffCoefficient: 1,
              maxPollInterval: 200,
              deadline: '10m',
            },
          });
          const started = await startBulk(client, store, inventory, { taskQueue: queue, concurrency: n });
          await awaitBulk(client, started.workflowId);
          return (Date.now() - t0) / 1000;
        }),
      );
      const calls = limitedSim.calls();
      say(
        `  ${scope} scope: both done in ${Math.max(...runs).toFixed(1)} s (workspaces at ${runs.map((r) => r.toFixed(1)).join(' s, ')} s); ` +
          `${calls.length} Bird calls, ${calls.filter((c) => c.rateLimited).length} answered 429`,
      );
      w.shutdown();
      await running;
      await limitedSim.close();
    }
    await connection.close();
  }
}

/** A CSV of the numbers, read with the product's own reader, over the bench's defaults. */
async function benchInventory(
  dir: string,
  name: string,
  numbers: string[],
  ws: { workspaceId: string; organizationId: string },
  over: Record<string, unknown>,
) {
  const file = join(dir, `${name}.csv`);
  await writeFile(file, ['phoneNumberId', ...numbers].join('\n'));
  return prepareInventory(file, {
    ...ws,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: 'Bench SMS',
      arguments: { channelMessageType: 'transactional' },
    },
    ...over,
  });
}

/** The largest history (events, bytes) of the bulk run's runs and of its children. */
async function largestHistories(client: Client, bulkWorkflowId: string): Promise<Record<string, number>> {
  let bulkEvents = 0;
  let bulkBytes = 0;
  let bulkRuns = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${bulkWorkflowId}'` })) {
    const d = await client.workflow.getHandle(run.workflowId, run.runId).describe();
    bulkRuns++;
    bulkEvents = Math.max(bulkEvents, d.historyLength);
    bulkBytes = Math.max(bulkBytes, d.historySize ?? 0);
  }
  const children: string[] = [];
  for await (const c of client.workflow.list({ query: `ParentWorkflowId = '${bulkWorkflowId}'` }))
    children.push(c.workflowId);
  let childEvents = 0;
  let childBytes = 0;
  for (let i = 0; i < children.length; i += 50) {
    const ds = await Promise.all(children.slice(i, i + 50).map((id) => client.workflow.getHandle(id).describe()));
    for (const d of ds) {
      childEvents = Math.max(childEvents, d.historyLength);
      childBytes = Math.max(childBytes, d.historySize ?? 0);
    }
  }
  return {
    bulkRuns,
    largestBulkRunEvents: bulkEvents,
    largestBulkRunBytes: bulkBytes,
    children: children.length,
    largestChildEvents: childEvents,
    largestChildBytes: childBytes,
  };
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
