/**
 * One scenario's product, as it runs in production: worker processes (and, when asked, the webhook receiver
 * process) against the suite's dev server, the Bird simulator over HTTP with a fresh workspace and access key, a
 * fresh task queue and a bulk store directory the workers share with the test (BULK_STORE_DIR).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { BirdSimulator, type SimulatorOptions } from '../../src/bird-sim';
import { BulkStore } from '../../src/bulk/store';
import { ensureWorkspaceSubscription } from '../../src/client/subscriptions-client';
import { startNodeProcess, type NodeProcess } from '../helpers/processes';
import type { ChaosWorld } from './world';
import { WorkerFleet } from './workers';

export const CHAOS_PUBLIC_URL = 'https://hooks.chaos.example/bird/events';
export const SIGNING_KEY_REF = 'WEBHOOK_SIGNING_KEY';

export interface ChaosStackOptions {
  workers: number;
  /** Also run the webhook receiver as a process, with the workspace subscriptions pointing at it. */
  receiver?: boolean;
  sim?: SimulatorOptions;
  workerEnv?: Record<string, string>;
}

export interface ChaosStack {
  world: ChaosWorld;
  sim: BirdSimulator;
  workspaceId: string;
  organizationId: string;
  taskQueue: string;
  secrets: { accessKey: string; signingKey: string };
  store: BulkStore;
  workers: WorkerFleet;
  receiver?: { proc: NodeProcess; url: string };
  /** Output of processes a scenario starts itself (a bulk CLI), checked for secrets with the rest. */
  adopt(proc: NodeProcess): void;
  /** Every line every process of this stack printed, killed ones included. */
  lines(): string[];
  close(): Promise<void>;
}

export async function startChaosStack(world: ChaosWorld, opts: ChaosStackOptions): Promise<ChaosStack> {
  const accessKey = `chaos-access-${randomUUID()}`;
  const signingKey = `chaos-signing-${randomUUID()}`;
  const workspaceId = randomUUID();
  const organizationId = randomUUID();
  const taskQueue = `chaos-${randomUUID()}`;
  const storeDir = await mkdtemp(join(world.dir, 'bulk-'));
  const sim = await BirdSimulator.start({
    provisioningDelayMs: 1_000,
    webhookRetryScale: 0.002,
    ...opts.sim,
    accessKeys: [accessKey],
    workspaces: [{ id: workspaceId, organizationId }],
  });
  const temporalEnv = {
    TEMPORAL_ADDRESS: world.server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
  };
  const workers = new WorkerFleet({
    ...temporalEnv,
    BIRD_API_BASE_URL: sim.url,
    BIRD_ACCESS_KEY: accessKey,
    BIRD_REQUEST_TIMEOUT_MS: '5000',
    [`BIRD_SECRET_${SIGNING_KEY_REF}`]: signingKey,
    BULK_STORE_DIR: storeDir,
    WORKFLOW_BUNDLE_PATH: world.bundlePath,
    WORKER_HEALTH_PORT: '0',
    WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...opts.workerEnv,
  });
  const adopted: NodeProcess[] = [];
  const stack: ChaosStack = {
    world,
    sim,
    workspaceId,
    organizationId,
    taskQueue,
    secrets: { accessKey, signingKey },
    store: new BulkStore(storeDir),
    workers,
    adopt: (proc) => adopted.push(proc),
    lines: () => [...workers.lines(), ...adopted.flatMap((p) => p.lines)],
    async close() {
      for (const p of adopted) p.kill();
      await workers.stopAll();
      await Promise.all(adopted.map((p) => p.exited));
      await sim.close();
    },
  };
  try {
    await Promise.all(Array.from({ length: opts.workers }, () => workers.start()));
    if (opts.receiver) {
      const proc = startNodeProcess(
        'src/webhook-receiver/main.ts',
        {
          ...temporalEnv,
          WEBHOOK_SIGNING_KEY: signingKey,
          WEBHOOK_PUBLIC_URL: CHAOS_PUBLIC_URL,
          RECEIVER_HOST: '127.0.0.1',
          RECEIVER_PORT: '0',
          LOG_LEVEL: 'info',
        },
        { node: process.execPath, execArgv: ['--import', 'tsx'] },
      );
      adopted.push(proc);
      const line = await proc.waitForLine(
        'the receiver to listen',
        (l) => l.includes('webhook receiver listening'),
        60_000,
      );
      const address = (JSON.parse(line) as { address: string }).address;
      stack.receiver = { proc, url: `${address}${new URL(CHAOS_PUBLIC_URL).pathname}` };
      sim.routeDeliveries(new URL(CHAOS_PUBLIC_URL).origin, address);
      for (const event of ['channel.created', 'channel.updated'] as const) {
        await ensureWorkspaceSubscription(
          world.client,
          { organizationId, workspaceId, event, url: CHAOS_PUBLIC_URL, signingKeyRef: SIGNING_KEY_REF },
          { taskQueue },
        );
      }
    }
  } catch (err) {
    await stack.close();
    throw err;
  }
  return stack;
}
