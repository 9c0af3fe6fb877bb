/**
 * The Nexus handler continues its caller's trace: a traced caller workflow in another namespace calls `provision`;
 * its StartNexusOperation span is the parent of the handler's span, which starts the provisioning run (in memory,
 * as test/tracing.test.ts).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { clientTracing, startTracing, stopTracing, workerTracing } from '../src/observability/tracing';
import { callOperation } from './nexus/caller-workflows';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { temporal, temporalCliPath } from './helpers/temporal';
import { assertNothingForbidden, fromReadableSpans, TraceView } from './helpers/trace';
import { waitFor } from './helpers/wait';

const run = promisify(execFile);

describe('tracing through Nexus', function () {
  this.timeout(90_000);
  const exporter = new InMemorySpanExporter();
  let stack: Stack;
  let address: string;
  let caller: Client;
  let callerWorker: Worker;
  let callerRunning: Promise<void>;
  const callerNamespace = `nexus-traced-${randomBytes(4).toString('hex')}`;
  const endpoint = `channel-provisioning-traced-${randomBytes(4).toString('hex')}`;
  const callerQueue = 'nexus-traced-caller';
  const cli = (...args: string[]) => run(temporalCliPath(), [...args, '--address', address]);

  before(async function () {
    this.timeout(180_000);
    startTracing({ serviceName: 'tracing-nexus-test', exporter });
    const harness = await temporal();
    address = harness.address;
    const [started, bundle] = await Promise.all([
      startStack(),
      bundleWorkflowCode({
        workflowsPath: require.resolve('./nexus/caller-workflows'),
        workflowInterceptorModules: [require.resolve('../src/workflows/tracing-interceptors')],
        logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
      }),
      cli('operator', 'namespace', 'create', '--namespace', callerNamespace),
    ]);
    stack = started;
    await cli(
      ...['operator', 'nexus', 'endpoint', 'create', '--name', endpoint],
      ...['--target-namespace', harness.env.namespace ?? 'default', '--target-task-queue', stack.taskQueue],
    );
    caller = new Client({ connection: harness.env.connection, namespace: callerNamespace, ...clientTracing() });
    await waitFor(
      'the caller namespace',
      () =>
        caller.workflowService.describeNamespace({ namespace: callerNamespace }).then(
          () => true,
          () => undefined,
        ),
      30_000,
      500,
    );
    callerWorker = await Worker.create({
      connection: harness.env.nativeConnection,
      namespace: callerNamespace,
      taskQueue: callerQueue,
      workflowBundle: bundle,
      ...workerTracing(),
    });
    callerRunning = callerWorker.run();
  });
  after(async () => {
    if (callerWorker?.getState() === 'RUNNING') callerWorker.shutdown();
    await callerRunning;
    if (address) await cli('operator', 'nexus', 'endpoint', 'delete', '--name', endpoint).catch(() => undefined);
    try {
      await stack?.closeCheckingHistories();
    } finally {
      await stopTracing();
    }
  });

  it("the handler's span is a child of the caller's operation span, and the provisioning run below it", async () => {
    const input = smsInput(stack);
    const phoneNumberId = (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
    const seen = await caller.workflow.execute(callOperation, {
      taskQueue: callerQueue,
      workflowId: `caller-${randomUUID()}`,
      args: [endpoint, 'provision', input],
    });
    assert.ok(seen.ok, JSON.stringify(seen));
    const view = await waitFor(
      'the provisioning run span',
      () => {
        const v = new TraceView(fromReadableSpans(exporter.getFinishedSpans()));
        return v.all('RunWorkflow:provisionChannel').length ? v : undefined;
      },
      10_000,
    );
    const callerRun = view.one('RunWorkflow:callOperation');
    const operation = view.one('StartNexusOperation:channelProvisioning/provision', callerRun);
    const handler = view.one('RunStartNexusOperation:channelProvisioning/provision', operation);
    const start = view.one('StartWorkflow:provisionChannel', handler);
    view.one('RunActivity:createConnector', view.one('RunWorkflow:provisionChannel', start));
    assertNothingForbidden(view.spans, {
      'phone-number id': phoneNumberId,
      'Bird access key': stack.secrets.accessKey,
      'signing key': stack.secrets.signingKey,
    });
  });
});
