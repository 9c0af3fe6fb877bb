/**
 * The worker's memory against the provisionings it holds in flight (`npm run bench -- --memory-levels …`): a real
 * worker process (src/worker.ts) loading the production workflow bundle (written by scripts/bundle-workflows.ts, as
 * the image does), with the tuning knobs of src/worker/env.ts at their defaults unless the bench's environment sets
 * them, and the image's V8 heap limit (the Dockerfile's NODE_OPTIONS, or BENCH_WORKER_NODE_OPTIONS). Provisionings by
 * webhook whose channel never activates stay in flight (waiting for a report until their deadline). At each level
 * (cumulative), measured the same way every time: once every one of them is in its readiness wait (visibility:
 * ProvisioningStage awaiting-readiness) and 5 s more have passed, the RSS and V8 heap just before a forced full GC
 * (what the process happens to hold), then the medians over 10 s after it (the steady state: live memory). Then the
 * burst: a fresh worker gets N starts at once; its peak RSS, whether it is still alive, then its steady state.
 */
import type { Client } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BirdSimulator } from '../../src/bird-sim';
import { parseAndStartProvisioning } from '../../src/client/provisioning-client';
import { writeWorkflowBundle } from '../bundle-workflows';
import { forwardedWorkerEnv } from './limiter-models';

export interface MemoryContext {
  client: Client;
  /** The dev server's host:port. */
  address: string;
  root: string;
  accessKey: string;
  say: (line: string) => void;
}

interface Sample {
  at: number;
  /** 'main', or the id of the SDK's workflow thread (its own V8 heap, where the workflow cache lives). */
  thread: string | number;
  rss: number;
  heapUsed: number;
  /** Set on the first sample after the forced GC the bench asked for with this label. */
  gc?: string;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Median RSS of the process, and the V8 heap used summed over its threads (each thread's median). */
function steady(window: Sample[]): { rss: number; heap: number } {
  const threads = [...new Set(window.map((s) => s.thread))];
  return {
    rss: Math.round(median(window.filter((s) => s.thread === 'main').map((s) => s.rss))),
    heap: Math.round(
      threads.reduce<number>((sum, t) => sum + median(window.filter((s) => s.thread === t).map((s) => s.heapUsed)), 0),
    ),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function memoryScenario(
  ctx: MemoryContext,
  levels: number[],
  burst: number,
): Promise<Record<string, number | boolean>> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-memory-'));
  const bundle = await writeWorkflowBundle(join(dir, 'workflow-bundle.js'));
  const organizationId = randomUUID();
  const sim = await BirdSimulator.start({
    accessKeys: [ctx.accessKey],
    workspaces: [],
    provisioningDelayMs: 3_600_000,
  });
  const figures: Record<string, number | boolean> = {};
  ctx.say(
    `\n[memory] worker process on the production bundle (${(bundle.bytes / 1024).toFixed(0)} KiB), provisionings held in flight: ${levels.join(', ')}; then ${burst} starts at once into a fresh worker`,
  );
  try {
    if (levels.length) {
      const w = await startWorker(ctx, sim.url, bundle.path, join(dir, 'steady.jsonl'));
      try {
        figures.startupPeakRssMiB = peakRssMiB(w.child.pid!);
        ctx.say(`  start-up peak RSS ${figures.startupPeakRssMiB} MiB`);
        const workspaceId = randomUUID();
        sim.addWorkspace({ id: workspaceId, organizationId });
        let inFlight = 0;
        for (const level of levels) {
          await startMany(ctx.client, w.taskQueue, { workspaceId, organizationId }, level - inFlight);
          inFlight = level;
          await untilCreated(sim, workspaceId, level, w.child);
          Object.assign(figures, await measure(ctx, w, workspaceId, level));
        }
      } finally {
        w.child.kill('SIGKILL');
      }
    }
    if (burst > 0) {
      const w = await startWorker(ctx, sim.url, bundle.path, join(dir, 'burst.jsonl'));
      try {
        const workspaceId = randomUUID();
        sim.addWorkspace({ id: workspaceId, organizationId });
        const t0 = Date.now();
        await startMany(ctx.client, w.taskQueue, { workspaceId, organizationId }, burst);
        await untilCreated(sim, workspaceId, burst, w.child);
        figures.burstSeconds = +((Date.now() - t0) / 1000).toFixed(1);
        figures.burstPeakRssMiB = peakRssMiB(w.child.pid!);
        figures.burstPeakHeapMiB = Math.round(
          Math.max(
            ...samples(w.file)
              .filter((s) => s.thread !== 'main')
              .map((s) => s.heapUsed),
          ),
        );
        figures.burstWorkerAlive = w.child.exitCode === null && w.child.signalCode === null;
        ctx.say(
          `  burst: ${burst} started at once, all waiting after ${figures.burstSeconds} s; peak RSS ${figures.burstPeakRssMiB} MiB, workflow-thread heap ${figures.burstPeakHeapMiB} MiB; worker alive: ${figures.burstWorkerAlive}`,
        );
        // Then the same worker holds `burst` provisionings in flight: its steady state at that level, measured as the
        // levels are (a level of 5,000 needs no second run of 5,000 starts).
        if (!levels.includes(burst)) Object.assign(figures, await measure(ctx, w, workspaceId, burst));
      } finally {
        w.child.kill('SIGKILL');
      }
    }
  } finally {
    await sim.close();
  }
  ctx.say(JSON.stringify({ memory: figures }, null, 2));
  return figures;
}

/**
 * The steady state with `n` in flight: once all `n` wait for their readiness and 5 s more have passed, RSS and heap
 * over the 2 s before a forced full GC in every thread, then their medians over the 10 s after it.
 */
async function measure(
  ctx: MemoryContext,
  w: BenchWorker,
  workspaceId: string,
  n: number,
): Promise<Record<string, number>> {
  await untilWaiting(ctx.client, workspaceId, n, w.child);
  await sleep(5_000);
  const before = steady(samples(w.file).filter((s) => s.at >= Date.now() - 2_000));
  const label = String(n);
  const threads = new Set(samples(w.file).map((s) => s.thread));
  writeFileSync(`${w.file}.gc`, label);
  for (const t0 = Date.now(); ; await sleep(250)) {
    const collected = new Set(samples(w.file).flatMap((s) => (s.gc === label ? [s.thread] : [])));
    if ([...threads].every((t) => collected.has(t))) break;
    if (Date.now() - t0 > 300_000) throw new Error('the bench worker did not run the forced GC in 5 min');
  }
  const from = Date.now();
  await sleep(10_000);
  const m = steady(samples(w.file).filter((s) => s.at >= from));
  ctx.say(
    `  ${n} in flight: steady RSS ${m.rss} MiB, V8 heap used ${m.heap} MiB (all threads; medians over 10 s after a forced GC; before it ${before.rss} MiB / ${before.heap} MiB; peak RSS so far ${peakRssMiB(w.child.pid!)} MiB)`,
  );
  return {
    [`workerSteadyRssMiB${n}`]: m.rss,
    [`workerSteadyHeapMiB${n}`]: m.heap,
    [`workerRssBeforeGcMiB${n}`]: before.rss,
    [`workerHeapBeforeGcMiB${n}`]: before.heap,
  };
}

interface BenchWorker {
  child: ChildProcess;
  taskQueue: string;
  file: string;
}

async function startWorker(
  ctx: MemoryContext,
  birdUrl: string,
  bundlePath: string,
  file: string,
): Promise<BenchWorker> {
  const taskQueue = `bench-mem-${randomUUID().slice(0, 8)}`;
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--import', './scripts/bench/memory-probe.mjs', 'src/worker.ts'],
    {
      cwd: ctx.root,
      env: {
        PATH: process.env.PATH,
        TEMPORAL_ADDRESS: ctx.address,
        TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
        TEMPORAL_TASK_QUEUE: taskQueue,
        BIRD_API_BASE_URL: birdUrl,
        BIRD_ACCESS_KEY: ctx.accessKey,
        WORKFLOW_BUNDLE_PATH: bundlePath,
        BENCH_MEMORY_FILE: file,
        WORKER_HEALTH_PORT: '0',
        WORKER_METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        ...forwardedWorkerEnv(),
        ...(process.env.BENCH_HEAP_SNAPSHOT_DIR
          ? { BENCH_HEAP_SNAPSHOT_DIR: process.env.BENCH_HEAP_SNAPSHOT_DIR }
          : {}),
        // The worker's V8 options, apart from the bench's own: the image's heap limit unless the bench's environment
        // sets others (BENCH_WORKER_NODE_OPTIONS= empty: V8's default).
        NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? imageNodeOptions(ctx.root),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-10_000)));
  for (const t0 = Date.now(); !out.includes('"msg":"worker started"'); await sleep(200)) {
    if (child.exitCode !== null || Date.now() - t0 > 120_000)
      throw new Error(`the bench worker did not start:\n${out}`);
  }
  await sleep(3_000);
  return { child, taskQueue, file };
}

/** Starts `n` provisionings by webhook (never activated), 100 requests at a time. */
async function startMany(
  client: Client,
  taskQueue: string,
  ws: { workspaceId: string; organizationId: string },
  n: number,
): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < n) {
      next++;
      await parseAndStartProvisioning(
        client,
        {
          ...ws,
          connector: {
            connectorTemplateRef: 'sms-messagebird:1',
            name: `Mem ${randomUUID().slice(0, 8)}`,
            arguments: { phoneNumberId: randomUUID(), channelMessageType: 'transactional' },
          },
          readiness: { mode: 'webhook', deadline: '1h' },
        },
        { taskQueue },
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(100, n) }, one));
}

async function untilCreated(sim: BirdSimulator, workspaceId: string, n: number, worker: ChildProcess): Promise<void> {
  for (
    const t0 = Date.now();
    sim.connectors().filter((c) => c.workspaceId === workspaceId).length < n;
    await sleep(1_000)
  ) {
    if (worker.exitCode !== null || worker.signalCode !== null)
      throw new Error(`the bench worker died (${worker.exitCode ?? worker.signalCode})`);
    if (Date.now() - t0 > 60 * 60_000)
      throw new Error(
        `only ${sim.connectors().filter((c) => c.workspaceId === workspaceId).length} of ${n} provisionings reached Bird in 60 min`,
      );
  }
}

/** Until all `n` provisionings of the workspace are in their readiness wait, by their search attributes. */
async function untilWaiting(client: Client, workspaceId: string, n: number, worker: ChildProcess): Promise<void> {
  const query = `BirdWorkspaceId = '${workspaceId}' AND ProvisioningStage = 'awaiting-readiness' AND ExecutionStatus = 'Running'`;
  for (const t0 = Date.now(); (await client.workflow.count(query)).count < n; await sleep(1_000)) {
    if (worker.exitCode !== null || worker.signalCode !== null)
      throw new Error(`the bench worker died (${worker.exitCode ?? worker.signalCode})`);
    if (Date.now() - t0 > 10 * 60_000) throw new Error(`not all ${n} provisionings reached their readiness wait`);
  }
}

function samples(file: string): Sample[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Sample);
}

/** The NODE_OPTIONS the image runs with (the Dockerfile's ENV line). */
function imageNodeOptions(root: string): string {
  const env = /^ENV NODE_OPTIONS=(\S+)$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  if (!env) throw new Error('the Dockerfile sets no NODE_OPTIONS');
  return env[1]!;
}

export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}
