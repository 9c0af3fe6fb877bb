/**
 * Another team's side of the Nexus service, as the Nexus tests need it: a caller namespace, an endpoint made with the
 * Temporal CLI routing to the stack's task queue, and a worker running the caller workflows (test/nexus/
 * caller-workflows.ts), traced when asked. Started beside the stack (`startStack`), closed before it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { clientTracing, workerTracing } from '../../src/observability/tracing';
import type { Stack } from './stack';
import { temporal, temporalCliPath } from './temporal';
import { waitFor } from './wait';

const run = promisify(execFile);

export interface NexusCaller {
  client: Client;
  /** The caller workflows' task queue. */
  taskQueue: string;
  endpoint: string;
  close(): Promise<void>;
}

/** The caller namespace and bundle, made while `stackStarting` starts (both take seconds). */
export async function startNexusCaller<S extends Stack>(
  prefix: string,
  stackStarting: Promise<S>,
  opts: { traced?: boolean } = {},
): Promise<{ stack: S; caller: NexusCaller }> {
  const harness = await temporal();
  const cli = (...args: string[]) => run(temporalCliPath(), [...args, '--address', harness.address]);
  const namespace = `${prefix}-caller-${randomBytes(4).toString('hex')}`;
  const endpoint = `${prefix}-${randomBytes(4).toString('hex')}`;
  const [stack, bundle] = await Promise.all([
    stackStarting,
    bundleWorkflowCode({
      workflowsPath: require.resolve('../nexus/caller-workflows'),
      ...(opts.traced
        ? { workflowInterceptorModules: [require.resolve('../../src/workflows/tracing-interceptors')] }
        : {}),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
    }),
    cli('operator', 'namespace', 'create', '--namespace', namespace),
  ]);
  // What another team runs once: an endpoint in the cluster's registry routing to this deployment's task queue.
  await cli(
    ...['operator', 'nexus', 'endpoint', 'create', '--name', endpoint],
    ...['--target-namespace', harness.env.namespace ?? 'default', '--target-task-queue', stack.taskQueue],
  );
  const client = new Client({
    connection: harness.env.connection,
    namespace,
    ...(opts.traced ? clientTracing() : {}),
  });
  // A new namespace reaches every service of the server on its next registry refresh.
  await waitFor(
    'the caller namespace',
    () =>
      client.workflowService.describeNamespace({ namespace }).then(
        () => true,
        () => undefined,
      ),
    30_000,
    500,
  );
  const taskQueue = `${prefix}-caller`;
  const worker = await Worker.create({
    connection: harness.env.nativeConnection,
    namespace,
    taskQueue,
    workflowBundle: bundle,
    ...(opts.traced ? workerTracing() : {}),
  });
  const running = worker.run();
  return {
    stack,
    caller: {
      client,
      taskQueue,
      endpoint,
      async close() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await cli('operator', 'nexus', 'endpoint', 'delete', '--name', endpoint).catch(() => undefined);
      },
    },
  };
}
