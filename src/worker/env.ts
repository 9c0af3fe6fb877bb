/**
 * The worker process's operational settings (beyond src/config/app-config.ts): health and metrics ports, shutdown grace,
 * Worker Deployment versioning, the pre-built workflow bundle.
 */
import { z } from 'zod';
import { BulkStoreEnvShape } from '../bulk/store-env';
import { ConfigError } from '../config/app-config';
import { parseFields } from '../base/zod-issues';
import { parseDuration } from '../domain/duration';
import { BIRD_RATE_LIMITS } from '../bird/rate-limits/budget';
import { TASK_QUEUE_ROLES, type TaskQueueRole } from '../bird/rate-limits/queues';
import type { WorkerTuning } from './factory';

const port = z.coerce.number().int().min(0).max(65535);
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * The worker's memory and concurrency knobs, set explicitly rather than left to the SDK, whose workflow cache
 * defaults to about 600 runs per GiB of V8 heap limit (2,310 on a 4 GiB heap: every provisioning of a 1,000-wide bulk
 * window stays cached, which is what drove the worker past 2 GiB RSS). docs/worker-tuning.md has the measurements.
 */
export const WORKER_TUNING_DEFAULTS = {
  WORKER_MAX_CACHED_WORKFLOWS: 100,
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 40,
  WORKER_MAX_CONCURRENT_ACTIVITIES: 100,
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 100,
  WORKER_WORKFLOW_TASK_POLLERS: 10,
  WORKER_ACTIVITY_TASK_POLLERS: 10,
} as const;

export const WorkerEnv = z
  .object({
    WORKER_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
    /** /healthz (200 while the worker runs, 503 while it drains) — the container health check. */
    WORKER_HEALTH_PORT: port.default(9465),
    /** The Temporal runtime's Prometheus exporter (SDK metrics and the product's own), /metrics. */
    WORKER_METRICS_PORT: port.default(9464),
    WORKER_SHUTDOWN_GRACE_TIME: z
      .string()
      .default('30s')
      .refine((s) => parseDuration(s) !== undefined, 'must be a duration such as "30s" or "2m"'),
    TEMPORAL_WORKER_DEPLOYMENT_NAME: z.string().min(1).optional(),
    TEMPORAL_WORKER_BUILD_ID: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
    /** Which queues this process serves (comma-separated roles), to scale each kind of work on its own. */
    WORKER_TASK_QUEUES: z
      .string()
      .default(TASK_QUEUE_ROLES.join(','))
      .transform((v, ctx) => {
        const roles = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = roles.filter((r) => !(TASK_QUEUE_ROLES as readonly string[]).includes(r));
        if (unknown.length || !roles.length) {
          ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of ${TASK_QUEUE_ROLES.join(', ')}` });
          return z.NEVER;
        }
        return [...new Set(roles)] as TaskQueueRole[];
      }),
    /** Bird's rate limits for this deployment (per workspace with BIRD_RATE_LIMIT_SCOPE=workspace). */
    BIRD_RATE_LIMIT_GET_PER_SECOND: z.coerce.number().positive().default(BIRD_RATE_LIMITS.getPerSecond),
    BIRD_RATE_LIMIT_POST_PER_SECOND: z.coerce.number().positive().default(BIRD_RATE_LIMITS.postPerSecond),
    /** deployment: one budget for all workspaces; workspace: one per workspace (needs task-queue fairness on the server). */
    BIRD_RATE_LIMIT_SCOPE: z.enum(['deployment', 'workspace']).default('deployment'),
    /** With the workspace scope: how many workspaces may use their whole budget at once (the queues' overall cap). */
    BIRD_RATE_LIMIT_WORKSPACES: z.coerce.number().int().min(1).max(1000).default(10),
    /** Pace each workspace's Bird calls evenly within this worker's share of the limits (src/bird/rate-limits/pacer.ts). */
    BIRD_RATE_LIMIT_PACING: z.enum(['on', 'off']).default('on'),
    /** The fraction of Bird's limits all workers together pace to (room for jitter under a strict window). */
    BIRD_RATE_LIMIT_HEADROOM: z.coerce.number().min(0.5).max(1).default(0.95),
    /** Workflow runs kept in memory (sticky); more are evicted and replayed from history when they next wake. */
    WORKER_MAX_CACHED_WORKFLOWS: count(0, 100_000).default(WORKER_TUNING_DEFAULTS.WORKER_MAX_CACHED_WORKFLOWS),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: count(2, 10_000).default(
      WORKER_TUNING_DEFAULTS.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    ),
    WORKER_MAX_CONCURRENT_ACTIVITIES: count(1, 10_000).default(WORKER_TUNING_DEFAULTS.WORKER_MAX_CONCURRENT_ACTIVITIES),
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: count(1, 10_000).default(
      WORKER_TUNING_DEFAULTS.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    ),
    /** Long polls kept open per queue for workflow tasks and for activity tasks. */
    WORKER_WORKFLOW_TASK_POLLERS: count(1, 100).default(WORKER_TUNING_DEFAULTS.WORKER_WORKFLOW_TASK_POLLERS),
    WORKER_ACTIVITY_TASK_POLLERS: count(1, 100).default(WORKER_TUNING_DEFAULTS.WORKER_ACTIVITY_TASK_POLLERS),
    /** Where bulk runs keep their inventories and outcomes (a directory or s3://): src/bulk/store-env.ts. */
    ...BulkStoreEnvShape,
  })
  .superRefine((e, ctx) => {
    if (e.WORKER_MAX_CACHED_WORKFLOWS > 0 && e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS > e.WORKER_MAX_CACHED_WORKFLOWS) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'],
        message: 'must not exceed WORKER_MAX_CACHED_WORKFLOWS (a workflow task needs its run cached)',
      });
    }
    if (Boolean(e.TEMPORAL_WORKER_DEPLOYMENT_NAME) !== Boolean(e.TEMPORAL_WORKER_BUILD_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: [e.TEMPORAL_WORKER_DEPLOYMENT_NAME ? 'TEMPORAL_WORKER_BUILD_ID' : 'TEMPORAL_WORKER_DEPLOYMENT_NAME'],
        message: 'versioning needs both TEMPORAL_WORKER_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID',
      });
    }
  });
export type WorkerEnv = z.infer<typeof WorkerEnv>;

/** The Worker options the tuning variables stand for. */
export function workerTuning(e: Pick<WorkerEnv, keyof typeof WORKER_TUNING_DEFAULTS>): WorkerTuning {
  return {
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: e.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: e.WORKER_WORKFLOW_TASK_POLLERS },
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: e.WORKER_ACTIVITY_TASK_POLLERS },
  };
}

export function loadWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return parseFields(WorkerEnv, env, (problems) => new ConfigError(problems));
}
