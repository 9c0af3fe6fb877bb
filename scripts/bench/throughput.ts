/**
 * Sustained provisionings per second (`npm run bench -- --throughput-numbers N`), with no activation delay and no
 * rate limit: the product beside a baseline of the same workflows with no-op activities, on the same server in the
 * same run. With `--throughput-caches 100,2310` the product runs once per workflow cache size (the other knobs as the
 * worker's environment sets them), in the order A B … then … B A, so a machine whose load drifts during the run
 * weighs on every size alike; each size's rate is the mean of its two runs. With `--throughput-tracing` the product
 * runs with tracing off and on (sampling 100%, the bulk started by a traced client so every child run is traced), in
 * the order (off on on off) × TRACING_ROUNDS, each round's ratio printed: spans go over OTLP, batched as in
 * production, to OTEL_EXPORTER_OTLP_ENDPOINT when it is set, else to a loopback endpoint that reads and discards them
 * (./otlp-sink.ts: the cost of making and shipping them, not of a store).
 */
import { Client } from '@temporalio/client';
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
import { clientTracing, startTracing, stopTracing, tracingConfigured } from '../../src/observability/tracing';
import { noopActivities } from './noop-activities';
import { startOtlpSink, type OtlpSink } from './otlp-sink';

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
  tracing?: boolean;
}

/** ABBA rounds of tracing off and on: a machine whose load drifts weighs on both alike. */
const TRACING_ROUNDS = 2;

export async function throughputScenario(
  ctx: ThroughputContext,
  n: number,
  caches: number[],
  tracing = false,
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
  const off: Variant = { name: 'product, tracing off', noop: false, tracing: false };
  const on: Variant = { name: 'product, tracing on (sampling 100%)', noop: false, tracing: true };
  const variants: Variant[] = tracing
    ? [
        ...Array.from({ length: TRACING_ROUNDS }, () => [off, on, on, off]).flat(),
        { name: 'no-op baseline', noop: true },
      ]
    : caches.length
      ? [...bySize, ...[...bySize].reverse(), { name: 'no-op baseline', noop: true }]
      : [
          { name: 'product', noop: false },
          { name: 'no-op baseline', noop: true },
        ];
  const runs: Record<string, number[]> = {};
  /** CPU ms per provisioning of this process (worker, simulator and starter): what contention does not inflate. */
  const cpu: Record<string, number[]> = {};
  const sink = tracing && !tracingConfigured() ? await startOtlpSink() : undefined;
  try {
    for (const variant of variants) {
      const { rate, cpuMs } = await oneRun(ctx, connection, fastSim.url, workflowBundle, n, variant, sink);
      (runs[variant.name] ??= []).push(rate);
      (cpu[variant.name] ??= []).push(cpuMs);
    }
  } finally {
    await connection.close();
    await fastSim.close();
    await sink?.close();
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const rates = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, mean(v)]));
  const cpuMs = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, mean(v)]));
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
  if (tracing) {
    const [offName, onName] = [off.name, on.name];
    const round = (k: number, v: Variant) => mean(runs[v.name]!.slice(2 * k, 2 * k + 2));
    const ratios = Array.from({ length: TRACING_ROUNDS }, (_, k) => (round(k, on) / round(k, off)).toFixed(2));
    ctx.say(`  tracing on / off, each round (off on on off): ${ratios.join(', ')}`);
    ctx.say(
      `  tracing on / off: throughput ${(rates[onName]! / rates[offName]!).toFixed(2)}, ` +
        `CPU per provisioning ${cpuMs[onName]!.toFixed(1)} / ${cpuMs[offName]!.toFixed(1)} ms`,
    );
  }
  const figures: Record<string, number> = {};
  for (const [k, v] of Object.entries(rates)) figures[`provisioningsPerSecond ${k}`] = +v.toFixed(3);
  for (const [k, v] of Object.entries(cpuMs)) figures[`cpuMsPerProvisioning ${k}`] = +v.toFixed(2);
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
  sink: OtlpSink | undefined,
): Promise<{ rate: number; cpuMs: number }> {
  const queue = `bench-${variant.noop ? 'base' : 'tp'}-${randomUUID().slice(0, 8)}`;
  const shipped = { requests: sink?.requests ?? 0, bytes: sink?.bytes ?? 0 };
  if (variant.tracing) {
    const env = {
      ...process.env,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_SERVICE_NAME: 'bench',
      ...(sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
    };
    startTracing({ serviceName: 'bench', env });
  }
  // The bulk's starter: traced when tracing is on, so the bulk run and every child carry the trace.
  const client = variant.tracing
    ? new Client({ connection: ctx.client.connection, namespace: ctx.client.options.namespace, ...clientTracing() })
    : ctx.client;
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
    const cpu0 = process.cpuUsage();
    const started = await startBulk(client, ctx.store, inventory, {
      taskQueue: queue,
      concurrency: ctx.concurrency,
    });
    const end = await awaitBulk(ctx.client, started.workflowId);
    const wallS = (Date.now() - t0) / 1000;
    const used = process.cpuUsage(cpu0);
    const cpuMs = (used.user + used.system) / 1000 / n;
    const spans = variant.tracing ? `, spans sent over OTLP${sink ? ` ${shippedSince(sink, shipped)}` : ''}` : '';
    ctx.say(
      `  ${variant.name}: ${n} in ${wallS.toFixed(1)} s = ${(n / wallS).toFixed(2)} provisionings/s, CPU ${cpuMs.toFixed(1)} ms each (${end.status}${spans})`,
    );
    return { rate: n / wallS, cpuMs };
  } finally {
    w.shutdown();
    await running;
    if (variant.tracing) await stopTracing();
  }
}

/** What reached the sink since `before` (the exports still batched when the bulk ended are not counted). */
function shippedSince(sink: OtlpSink, before: { requests: number; bytes: number }): string {
  return `(${sink.requests - before.requests} request(s), ${((sink.bytes - before.bytes) / 1024).toFixed(0)} KiB so far)`;
}
