/**
 * Sustained provisionings per second (`npm run bench -- --throughput-numbers N`), with no activation delay and no
 * rate limit: the product beside a baseline of the same workflows with no-op activities, on the same server in the
 * same run. With `--throughput-caches 100,2310` the product runs once per workflow cache size (the other knobs as the
 * worker's environment sets them), in the order A B … then … B A, so a machine whose load drifts during the run
 * weighs on every size alike; each size's rate is the mean of its two runs.
 */
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { BirdClient } from '../../src/bird/client';
import { BirdSimulator } from '../../src/bird-sim';
import type { BulkStore } from '../../src/bulk/store';
import { awaitBulk, startBulk, type prepareInventory } from '../../src/client/bulk-client';
import { Secret } from '../../src/base/secret';
import { staticSecretStore } from '../../src/config/secrets';
import { loadWorkerEnv, workerTuning } from '../../src/worker/env';
import { createProvisioningWorker, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../src/worker/factory';
import { noopActivities } from './noop-activities';

type Inventory = Awaited<ReturnType<typeof prepareInventory>>;

export interface ThroughputContext {
  client: Client;
  address: string;
  accessKey: string;
  signingKey: string;
  workspaceId: string;
  organizationId: string;
  store: BulkStore;
  /** The bulk window. */
  concurrency: number;
  inventory: (name: string, numbers: string[], over: Record<string, unknown>) => Promise<Inventory>;
  say: (line: string) => void;
}

interface Variant {
  name: string;
  noop: boolean;
  maxCachedWorkflows?: number;
}

export async function throughputScenario(
  ctx: ThroughputContext,
  n: number,
  caches: number[],
): Promise<Record<string, number>> {
  ctx.say(
    `\n[throughput] ${n} numbers, no activation delay, no rate limit, window ${ctx.concurrency}: the product vs no-op activities`,
  );
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const fastSim = await BirdSimulator.start({
    accessKeys: [ctx.accessKey],
    workspaces: [{ id: ctx.workspaceId, organizationId: ctx.organizationId }],
    provisioningDelayMs: 0,
  });
  const connection = await NativeConnection.connect({ address: ctx.address });
  const bySize: Variant[] = caches.map((c) => ({ name: `product, cache ${c}`, noop: false, maxCachedWorkflows: c }));
  const variants: Variant[] = caches.length
    ? [...bySize, ...[...bySize].reverse(), { name: 'no-op baseline', noop: true }]
    : [
        { name: 'product', noop: false },
        { name: 'no-op baseline', noop: true },
      ];
  const runs: Record<string, number[]> = {};
  try {
    for (const variant of variants) {
      const rate = await oneRun(ctx, connection, fastSim.url, workflowBundle, n, variant);
      (runs[variant.name] ??= []).push(rate);
    }
  } finally {
    await connection.close();
    await fastSim.close();
  }
  const rates = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length]));
  const baseline = rates['no-op baseline']!;
  for (const [name, rate] of Object.entries(rates)) {
    if (name !== 'no-op baseline')
      ctx.say(
        `  ${name}: ${rate.toFixed(2)} provisionings/s, ${((rate / baseline) * 100).toFixed(0)}% of the same workflows with no-op activities`,
      );
  }
  if (caches.length > 1) {
    const first = rates[bySize[0]!.name]!;
    for (const v of bySize.slice(1))
      ctx.say(`  ${v.name} runs at ${((rates[v.name]! / first) * 100).toFixed(0)}% of ${bySize[0]!.name}`);
  }
  const figures = Object.fromEntries(
    Object.entries(rates).map(([k, v]) => [`provisioningsPerSecond ${k}`, +v.toFixed(3)]),
  );
  ctx.say(JSON.stringify({ throughput: figures }, null, 2));
  return figures;
}

async function oneRun(
  ctx: ThroughputContext,
  connection: NativeConnection,
  birdUrl: string,
  workflowBundle: { code: string },
  n: number,
  variant: Variant,
): Promise<number> {
  const queue = `bench-${variant.noop ? 'base' : 'tp'}-${randomUUID().slice(0, 8)}`;
  const tuning = workerTuning(loadWorkerEnv(process.env));
  if (variant.maxCachedWorkflows !== undefined) {
    tuning.maxCachedWorkflows = variant.maxCachedWorkflows;
    tuning.maxConcurrentWorkflowTaskExecutions = Math.min(
      tuning.maxConcurrentWorkflowTaskExecutions ?? 40,
      variant.maxCachedWorkflows,
    );
  }
  const w = await createProvisioningWorker({
    connection,
    namespace: 'default',
    taskQueue: queue,
    bird: new BirdClient({ baseUrl: birdUrl, accessKey: new Secret(ctx.accessKey) }),
    secrets: staticSecretStore({ WEBHOOK_SIGNING_KEY: ctx.signingKey }),
    bulkStore: ctx.store,
    workflowBundle,
    birdRateLimits: { getPerSecond: 100_000, postPerSecond: 100_000 },
    // The worker process's knobs (src/worker/env.ts), so the throughput is the one the tuning gives.
    tuning,
    ...(variant.noop ? { wrapActivities: noopActivities } : {}),
  });
  const running = w.run();
  try {
    const numbers = Array.from({ length: n }, () => randomUUID());
    const inventory = await ctx.inventory(queue, numbers, {
      readiness: { mode: 'poll', initialPollInterval: 100, maxPollInterval: 1_000, deadline: '10m' },
    });
    const t0 = Date.now();
    const started = await startBulk(ctx.client, ctx.store, inventory, {
      taskQueue: queue,
      concurrency: ctx.concurrency,
    });
    const end = await awaitBulk(ctx.client, started.workflowId);
    const wallS = (Date.now() - t0) / 1000;
    ctx.say(
      `  ${variant.name}: ${n} in ${wallS.toFixed(1)} s = ${(n / wallS).toFixed(2)} provisionings/s (${end.status})`,
    );
    return n / wallS;
  } finally {
    w.shutdown();
    await running;
  }
}
