/**
 * Builds the provisioning worker. Shared by src/worker.ts, the demo and the tests, which pass a pre-built workflow
 * bundle (bundled once per test run, or at image build time by scripts/bundle-workflows.ts) and a Bird client
 * pointed at the simulator.
 */
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { parseDuration } from './domain/duration';

export const WORKFLOWS_PATH = require.resolve('./workflows');
/** Workflow interceptors (provisioning metrics) that run inside the sandbox; bundled alongside the workflows. */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('./workflows/interceptors')];

/** How long SIGTERM lets in-flight activities finish before cancelling them (the SDK's default, 0, abandons them). */
export const DEFAULT_SHUTDOWN_GRACE_TIME = '30s';

export interface ProvisioningWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Pre-bundled workflow code; when absent the worker bundles src/workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Payload codec (encryption) and friends; the same one the clients use. */
  dataConverter?: DataConverter;
  /** Worker Deployment versioning (see README "Safe upgrades"); off when absent. */
  deployment?: { deploymentName: string; buildId: string };
  /** Milliseconds or a duration string ("30s"). */
  shutdownGraceTime?: string | number;
  identity?: string;
  /** Extra worker options (concurrency, rate limits) for later issues and tests. */
  tuning?: Partial<Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxTaskQueueActivitiesPerSecond' | 'maxActivitiesPerSecond'>>;
}

export async function createProvisioningWorker(opts: ProvisioningWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities({ bird: opts.bird, secrets: opts.secrets }),
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES } }),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...(opts.identity ? { identity: opts.identity } : {}),
    // Milliseconds: the option's string form is typed through the `ms` package, which lint cannot resolve.
    shutdownGraceTime: graceMs(opts.shutdownGraceTime ?? DEFAULT_SHUTDOWN_GRACE_TIME),
    ...(opts.deployment
      ? {
          workerDeploymentOptions: {
            version: opts.deployment,
            useWorkerVersioning: true,
            // provisionChannel (and bulk runs) are short: a run finishes on the code it started with. The long-lived
            // webhookSubscription entity opts into AUTO_UPGRADE itself (setWorkflowOptions), guarded by patched().
            defaultVersioningBehavior: 'PINNED',
          },
        }
      : {}),
    ...opts.tuning,
  });
}

function graceMs(value: string | number): number {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined) throw new Error(`shutdownGraceTime: "${value}" is not a duration`);
  return ms;
}
