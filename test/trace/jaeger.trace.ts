/**
 * `npm run test:trace`: one provisioning's trace in a real trace store. The stack exports over OTLP (configured by
 * the standard OTEL_* variables, as a deployment is) to Jaeger, and the test reads the traces back through Jaeger's
 * query API and runs on them the assertions test/tracing.test.ts runs in memory.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  assertCompensatedTrace,
  assertReadyByWebhookTrace,
  forbiddenIn,
  provisionThroughApi,
  readyByWebhook,
  startTracedStack,
  type Provisioned,
  type TracedStack,
} from '../helpers/traced-provisioning';
import { assertNothingForbidden, fromJaegerTraces, TraceView } from '../helpers/trace';
import { waitFor } from '../helpers/wait';
import { Jaeger } from './jaeger';

describe('tracing, in a real trace store (Jaeger)', function () {
  this.timeout(120_000);
  const service = `provisioning-trace-test-${randomUUID().slice(0, 8)}`;
  let jaeger: Jaeger;
  let traced: TracedStack;

  before(async function () {
    this.timeout(15 * 60_000); // the first run builds Jaeger
    jaeger = await Jaeger.start();
    traced = await startTracedStack({
      serviceName: 'unused: OTEL_SERVICE_NAME wins',
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
        OTEL_SERVICE_NAME: service,
        OTEL_TRACES_SAMPLER: 'always_on',
      },
    });
  });
  after(async () => {
    await traced?.close();
    await jaeger?.stop();
  });

  /** The service's spans in the store, once the run's workflow span (and, if asked, the report) has arrived. */
  async function stored(run: Provisioned, wanted: string[]): Promise<TraceView> {
    await traced.flush();
    return waitFor(
      `the run's spans in Jaeger (${wanted.join(', ')})`,
      async () => {
        const view = new TraceView(fromJaegerTraces(await jaeger.traces(service)));
        const start = view.spans.find((s) => s.attributes.run_id === run.runId && s.name.startsWith('StartWorkflow'));
        const complete = start && wanted.every((name) => view.all(name).length > 0);
        return complete ? view : undefined;
      },
      30_000,
      500,
    );
  }

  it('a provisioning ready by webhook is one chain in the store, the delivery linked to it, nothing personal', async () => {
    const run = await provisionThroughApi(traced, readyByWebhook, (number) =>
      traced.stack.sim.configureNumber(number, { outcome: 'active', delayMs: 2_000 }),
    );
    assert.ok(run.ok);
    const view = await stored(run, [
      'RunWorkflow:provisionChannel',
      'ReportChannelStatus',
      'Bird createLegacyWebhookSubscription',
    ]);
    assertReadyByWebhookTrace(view, run);
    assertNothingForbidden(view.spans, forbiddenIn(traced, run));
  });

  it("a failed provisioning's trace in the store shows the refused create and the compensation's delete", async () => {
    traced.stack.sim.scriptFault('createConnector', '503', 1);
    const run = await provisionThroughApi(traced, {}, (number) =>
      traced.stack.sim.configureNumber(number, { outcome: 'error', errorMessage: 'number not verified' }),
    );
    assert.equal(run.ok, false);
    const view = await stored(run, ['Bird deleteConnector']);
    assertCompensatedTrace(view, run);
    assertNothingForbidden(view.spans, forbiddenIn(traced, run));
  });
});
