/**
 * Builds the provisioning worker: one process serving every task queue of the deployment (the workflow queue and
 * the two rate-limited Bird queues, src/bird/rate-limits/queues.ts), or only some of them (WORKER_TASK_QUEUES), so each
 * kind of work can be scaled on its own. Shared by src/worker.ts, the demo and the tests, which pass a pre-built
 * workflow bundle (bundled once per test run, or at image build time by scripts/bundle-workflows.ts) and a Bird
 * client pointed at the simulator.
 */
import { runningOffboarding } from '../client/offboarding-client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities, type ActivityDeps } from '../activities';
import {
  BIRD_RATE_LIMITS,
  queueActivitiesPerSecond,
  type BirdRateLimits,
  type RateLimitScope,
} from '../bird/rate-limits/budget';
import { parseDuration } from '../domain/duration';
import { bundleFromSources } from './bundle';
import { channelProvisioningHandler } from '../nexus/handler';
import { deploymentTaskQueues, TASK_QUEUE_ROLES, type TaskQueueRole } from '../bird/rate-limits/queues';
import type { BirdPacer } from '../bird/rate-limits/pacer';
import { pacedTuning, sharePacerAmongWorkers } from '../bird/rate-limits/pacer-shares';
import { applyPerWorkspaceRateLimits } from '../bird/rate-limits/fairness';
import { workerTracing } from '../observability/tracing';

export const WORKFLOWS_PATH = require.resolve('../workflows');
/** Workflow interceptors (provisioning metrics, tracing) that run inside the sandbox; bundled alongside the workflows. */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('../workflows/interceptors'),
  require.resolve('../workflows/tracing-interceptors'),
];

/** How long SIGTERM lets in-flight activities finish before cancelling them (the SDK's default, 0, abandons them). */
export const DEFAULT_SHUTDOWN_GRACE_TIME = '30s';

export interface ProvisioningWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  /** The workflow task queue; the Bird queues derive from it. */
  taskQueue: string;
  /** Which queues this process serves; all by default. */
  roles?: readonly TaskQueueRole[];
  /** Bird's rate limits (default: Bird's documented 50 GET/s and 500 POST/s per workspace). */
  birdRateLimits?: BirdRateLimits;
  /** `deployment` by default (src/bird/rate-limits/budget.ts). */
  rateLimitScope?: RateLimitScope;
  /**
   * The pacer the Bird client was built with (src/bird/rate-limits/pacer.ts): the worker keeps its share count up to date from
   * the pollers of the Bird queues while it runs.
   */
  pacer?: BirdPacer;
  /** Pre-bundled workflow code; when absent the worker bundles src/workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload codec (encryption) and friends; the same one the clients use. */
  dataConverter?: DataConverter;
  /** Worker Deployment versioning (docs/upgrades.md); off when absent. */
  deployment?: { deploymentName: string; buildId: string };
  /** Milliseconds or a duration string ("30s"). */
  shutdownGraceTime?: string | number;
  identity?: string;
  /** Replaces or wraps the activities (the benchmark's no-op baseline). */
  wrapActivities?: (activities: Activities) => Activities;
  /** Extra worker options for tests and benchmarks (concurrency). */
  tuning?: WorkerTuning;
}

/** The worker's memory and concurrency knobs (src/worker/env.ts sets them all from the environment). */
export type WorkerTuning = Partial<
  Pick<
    WorkerOptions,
    | 'maxCachedWorkflows'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentLocalActivityExecutions'
    | 'workflowTaskPollerBehavior'
    | 'activityTaskPollerBehavior'
  >
>;

/** The workers of one process, run and stopped together. */
export interface ProvisioningWorker {
  readonly workers: Worker[];
  /** Resolves once every worker has drained and stopped. */
  run(): Promise<void>;
  shutdown(): void;
  /** RUNNING only while every worker is; otherwise the first state that is not. */
  getState(): State;
}

export async function createProvisioningWorker(opts: ProvisioningWorkerOptions): Promise<ProvisioningWorker> {
  const roles = opts.roles ?? TASK_QUEUE_ROLES;
  const queues = deploymentTaskQueues(opts.taskQueue);
  const limits = opts.birdRateLimits ?? {
    getPerSecond: BIRD_RATE_LIMITS.getPerSecond,
    postPerSecond: BIRD_RATE_LIMITS.postPerSecond,
  };
  const scope = opts.rateLimitScope ?? { scope: 'deployment' };
  if (scope.scope === 'workspace' && roles.some((r) => r !== 'workflows')) {
    await applyPerWorkspaceRateLimits(opts.connection, opts.namespace, opts.taskQueue, limits);
  }
  // Every worker registers every activity: a run started by an earlier build may have scheduled a Bird activity on
  // the workflow queue, and it must still find a worker there.
  const real = createActivities({
    bird: opts.bird,
    secrets: opts.secrets,
    bulkStore: opts.bulkStore,
    temporal: opts.temporal,
    birdRateLimits: limits,
    runningOffboarding,
  });
  const activities = opts.wrapActivities ? opts.wrapActivities(real) : real;
  const common: WorkerOptions = {
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
    // Milliseconds: the option's string form is typed through the `ms` package, which lint cannot resolve.
    shutdownGraceTime: graceMs(opts.shutdownGraceTime ?? DEFAULT_SHUTDOWN_GRACE_TIME),
    ...(opts.deployment
      ? {
          workerDeploymentOptions: {
            version: opts.deployment,
            useWorkerVersioning: true,
            // provisionChannel and bulk runs are short: a run finishes on the code it started with. The long-lived
            // webhookSubscription entity opts into AUTO_UPGRADE itself (setWorkflowOptions), guarded by patched().
            defaultVersioningBehavior: 'PINNED',
          },
        }
      : {}),
    // The process's tracing (src/observability/tracing.ts), if its entry point started one.
    ...workerTracing(),
    ...opts.tuning,
  };
  const workers: Worker[] = [];
  for (const role of roles) {
    if (role === 'workflows') {
      workers.push(
        await Worker.create({
          ...common,
          taskQueue: queues.workflows,
          // The channelProvisioning Nexus service (docs/nexus.md): an endpoint targets this queue.
          nexusServices: [channelProvisioningHandler({ bulkStore: opts.bulkStore })],
          workflowBundle:
            opts.workflowBundle ??
            (await bundleFromSources(WORKFLOWS_PATH, WORKFLOW_INTERCEPTOR_MODULES, Runtime.instance().logger)),
        }),
      );
    } else {
      const perSecond = queueActivitiesPerSecond(role, limits, scope);
      // With a pacer, the activity slots follow it (src/bird/rate-limits/pacer-shares.ts): a task is polled only when there is room.
      const slots = opts.pacer ? pacedTuning(common, opts.pacer, role === 'bird-reads' ? 'get' : 'write') : common;
      workers.push(
        await Worker.create({ ...slots, taskQueue: queues[role], maxTaskQueueActivitiesPerSecond: perSecond }),
      );
    }
  }
  const shares = opts.pacer
    ? sharePacerAmongWorkers(opts.connection, opts.namespace, opts.taskQueue, opts.pacer)
    : undefined;
  return {
    workers,
    run: async () => {
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        shares?.stop();
      }
    },
    shutdown: () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
    getState: () => workers.map((w) => w.getState()).find((s) => s !== 'RUNNING') ?? 'RUNNING',
  };
}

function graceMs(value: string | number): number {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined) throw new Error(`shutdownGraceTime: "${value}" is not a duration`);
  return ms;
}
