/**
 * The Nexus handler continues its caller's trace: a traced caller workflow in another namespace calls `provision`;
 * its StartNexusOperation span is the parent of the handler's span, which starts the provisioning run (in memory,
 * as test/tracing.test.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing, stopTracing } from '../src/observability/tracing';
import { callOperation } from './nexus/caller-workflows';
import { smsInput, startStack, type Stack } from './helpers/stack';
import { startNexusCaller, type NexusCaller } from './helpers/nexus-caller';
import { assertNothingForbidden, fromReadableSpans, TraceView } from './helpers/trace';
import { waitFor } from './helpers/wait';

describe('tracing through Nexus', function () {
  this.timeout(90_000);
  const exporter = new InMemorySpanExporter();
  let stack: Stack;
  let caller: NexusCaller;

  before(async function () {
    this.timeout(180_000);
    startTracing({ serviceName: 'tracing-nexus-test', exporter });
    ({ stack, caller } = await startNexusCaller('nexus-traced', startStack(), { traced: true }));
  });
  after(async () => {
    await caller?.close();
    try {
      await stack?.closeCheckingHistories();
    } finally {
      await stopTracing();
    }
  });

  it("the handler's span is a child of the caller's operation span, and the provisioning run below it", async () => {
    const input = smsInput(stack);
    const phoneNumberId = (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
    const seen = await caller.client.workflow.execute(callOperation, {
      taskQueue: caller.taskQueue,
      workflowId: `caller-${randomUUID()}`,
      args: [caller.endpoint, 'provision', input],
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
