/**
 * Builds the provisioning worker. Shared by src/worker.ts, the demo and the tests, which pass a pre-built workflow
 * bundle (bundled once per test run) and a Bird client pointed at the simulator.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';

export const WORKFLOWS_PATH = require.resolve('./workflows');

export interface ProvisioningWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Pre-bundled workflow code; when absent the worker bundles src/workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra worker options (concurrency, rate limits) for later issues and tests. */
  tuning?: Partial<Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxTaskQueueActivitiesPerSecond' | 'maxActivitiesPerSecond'>>;
}

export async function createProvisioningWorker(opts: ProvisioningWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities({ bird: opts.bird, secrets: opts.secrets }),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...opts.tuning,
  });
}
