/**
 * The worker's memory against the provisionings it holds in flight (`npm run bench -- --memory-levels …`): a real
 * worker process (src/worker.ts) loading the production workflow bundle (written by scripts/bundle-workflows.ts, as
 * the image does), with the tuning knobs of src/worker/env.ts at their defaults unless the bench's environment sets
 * them. Provisionings by webhook whose channel never activates stay in flight (waiting for a report until their
 * deadline); at each level (cumulative) the steady RSS and V8 heap are averaged over 5 s once every one of them is
 * waiting, apart from the start-up peak. Then the burst: a fresh worker gets N starts at once; its peak RSS, and
 * whether it is still alive, then its steady state with the burst in flight (unless a level measured it).
 */
import type { Client } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BirdSimulator } from '../../src/bird-sim';
import { startProvisioning } from '../../src/client/provisioning-client';
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
}

/** Mean RSS of the process, and the V8 heap used summed over its threads (each thread's mean). */
function steady(window: Sample[]): { rss: number; heap: number } {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const threads = [...new Set(window.map((s) => s.thread))];
  return {
    rss: Math.round(mean(window.filter((s) => s.thread === 'main').map((s) => s.rss))),
    heap: Math.round(
      threads.reduce<number>((sum, t) => sum + mean(window.filter((s) => s.thread === t).map((s) => s.heapUsed)), 0),
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
          await sleep(5_000);
          const from = Date.now();
          await sleep(5_000);
          const m = steady(samples(w.file).filter((s) => s.at >= from));
          figures[`workerSteadyRssMiB${level}`] = m.rss;
          figures[`workerSteadyHeapMiB${level}`] = m.heap;
          ctx.say(
            `  ${level} in flight: steady RSS ${m.rss} MiB, V8 heap used ${m.heap} MiB (all threads; peak RSS so far ${peakRssMiB(w.child.pid!)} MiB)`,
          );
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
        if (!levels.includes(burst)) {
          await sleep(5_000);
          const from = Date.now();
          await sleep(5_000);
          const m = steady(samples(w.file).filter((s) => s.at >= from));
          figures[`workerSteadyRssMiB${burst}`] = m.rss;
          figures[`workerSteadyHeapMiB${burst}`] = m.heap;
          ctx.say(
            `  ${burst} in flight after the burst: steady RSS ${m.rss} MiB, V8 heap used ${m.heap} MiB (all threads)`,
          );
        }
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

async function startWorker(
  ctx: MemoryContext,
  birdUrl: string,
  bundlePath: string,
  file: string,
): Promise<{ child: ChildProcess; taskQueue: string; file: string }> {
  const taskQueue = `bench-mem-${randomUUID().slice(0, 8)}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/bench/memory-probe.mjs', 'src/worker.ts'],
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
        // The worker's V8 options (e.g. a heap limit: --max-old-space-size=512), apart from the bench's own.
        ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
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
      await startProvisioning(
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
    if (Date.now() - t0 > 30 * 60_000)
      throw new Error(
        `only ${sim.connectors().filter((c) => c.workspaceId === workspaceId).length} of ${n} provisionings reached Bird in 30 min`,
      );
  }
}

function samples(file: string): Sample[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Sample);
}

export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}
