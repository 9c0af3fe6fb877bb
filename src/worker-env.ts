/**
 * The worker process's operational settings (beyond src/config.ts): health and metrics ports, shutdown grace,
 * Worker Deployment versioning, the pre-built workflow bundle.
 */
import { z } from 'zod';
import { BulkStoreEnvShape } from './bulk/store-env';
import { ConfigError } from './config';
import { parseFields } from './domain/zod-issues';
import { parseDuration } from './domain/duration';
import { BIRD_RATE_LIMITS } from './bird/schemas';
import { TASK_QUEUE_ROLES, type TaskQueueRole } from './domain/task-queues';

const port = z.coerce.number().int().min(0).max(65535);

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
        const roles = v.split(',').map((s) => s.trim()).filter(Boolean);
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
    /** Where bulk runs keep their inventories and outcomes (a directory or s3://): src/bulk/store-env.ts. */
    ...BulkStoreEnvShape,
  })
  .superRefine((e, ctx) => {
    if (Boolean(e.TEMPORAL_WORKER_DEPLOYMENT_NAME) !== Boolean(e.TEMPORAL_WORKER_BUILD_ID)) {
      ctx.addIssue({
        code: 'custom',
        path: [e.TEMPORAL_WORKER_DEPLOYMENT_NAME ? 'TEMPORAL_WORKER_BUILD_ID' : 'TEMPORAL_WORKER_DEPLOYMENT_NAME'],
        message: 'versioning needs both TEMPORAL_WORKER_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID',
      });
    }
  });
export type WorkerEnv = z.infer<typeof WorkerEnv>;

export function loadWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return parseFields(WorkerEnv, env, (problems) => new ConfigError(problems));
}
