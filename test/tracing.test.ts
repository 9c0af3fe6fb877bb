/**
 * One trace per provisioning, checked against an in-memory exporter (the same assertions test/trace/jaeger.trace.ts
 * runs against a real trace store): HTTP request → client start → workflow → activities → Bird calls, the webhook
 * delivery linked to the run, a failed run's refused create and compensating delete, and nothing personal or secret
 * in any span.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { BirdClient } from '../src/bird/client';
import { BirdPacer } from '../src/bird/rate-limits/pacer';
import { Secret } from '../src/base/secret';
import { awaitBulk, prepareInventory, startBulk } from '../src/client/bulk-client';
import {
  clientTracing,
  samplerFromEnv,
  startTracing,
  tracingConfigured,
  workerTracing,
} from '../src/observability/tracing';
import { redactSpan } from '../src/observability/span-redaction';
import {
  assertCompensatedTrace,
  assertReadyByWebhookTrace,
  forbiddenIn,
  provisionThroughApi,
  readyByWebhook,
  startTracedStack,
  type Provisioned,
  type TracedStack,
} from './helpers/traced-provisioning';
import { assertNothingForbidden, fromReadableSpans, TraceView, type TraceSpan } from './helpers/trace';
import { temporal } from './helpers/temporal';
import { smsBulkDefaults } from './helpers/inventory';
import { waitFor } from './helpers/wait';

describe('tracing, in memory', function () {
  this.timeout(90_000);
  const exporter = new InMemorySpanExporter();
  let traced: TracedStack;

  before(async function () {
    this.timeout(120_000);
    traced = await startTracedStack({ serviceName: 'tracing-test', exporter });
  });
  after(() => traced?.close());

  /** The spans so far, once the run's workflow span has come through the sink. */
  async function spansOf(run: Provisioned): Promise<TraceView> {
    return waitFor(
      'the workflow span',
      () => {
        const view = new TraceView(fromReadableSpans(exporter.getFinishedSpans()));
        const start = view.spans.find((s) => s.attributes.run_id === run.runId && s.name.startsWith('StartWorkflow'));
        return start && view.all('RunWorkflow:provisionChannel', start).length ? view : undefined;
      },
      10_000,
    );
  }

  it('a provisioning ready by webhook is one chain, the delivery linked to it, nothing personal in it', async () => {
    const run = await provisionThroughApi(traced, readyByWebhook, (number) =>
      traced.stack.sim.configureNumber(number, { outcome: 'active', delayMs: 2_000 }),
    );
    assert.ok(run.ok);
    const view = await spansOf(run);
    await waitFor('the webhook report span', () => view.all('ReportChannelStatus').length || undefined, 10_000);
    assertReadyByWebhookTrace(new TraceView(fromReadableSpans(exporter.getFinishedSpans())), run);
    assertNothingForbidden(fromReadableSpans(exporter.getFinishedSpans()), forbiddenIn(traced, run));
  });

  it('a traced run replays: the workflow interceptors add headers and spans, never commands', async () => {
    const run = await provisionThroughApi(traced, readyByWebhook, (number) =>
      traced.stack.sim.configureNumber(number, { outcome: 'active', delayMs: 500 }),
    );
    const history = await traced.stack.client.workflow.getHandle(run.workflowId).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    assert.ok(started?.header?.fields?.['_tracer-data'], 'the run was started with a trace context');
    const { workflowBundle } = await temporal();
    await Worker.runReplayHistory(
      { workflowBundle, replayName: 'traced', sinks: workerTracing().sinks },
      history,
      run.workflowId,
    );
  });

  it("a Bird call's span says it was answered 429 and how long the pacer held it", async () => {
    const { sim, workspaceId, secrets } = traced.stack;
    // 5 GET/s: each call of the workspace leaves 200 ms after the previous one.
    const pacer = new BirdPacer({ getPerSecond: 5, postPerSecond: 5 }, { headroom: 1 });
    const bird = new BirdClient({ baseUrl: sim.url, accessKey: new Secret(secrets.accessKey), pacer });
    sim.scriptFault('listConnectors', '429', 1);
    exporter.reset();
    await assert.rejects(bird.listConnectorsPage(workspaceId), /429/);
    await bird.listConnectorsPage(workspaceId);
    const calls = fromReadableSpans(exporter.getFinishedSpans()).filter((s) => s.name === 'Bird listConnectors');
    assert.equal(calls.length, 2);
    const [refused, accepted] = calls as [TraceSpan, TraceSpan];
    assert.equal(refused.attributes['http.response.status_code'], 429);
    assert.equal(refused.attributes['bird.rate_limited'], true);
    assert.equal(refused.attributes['bird.error.kind'], 'http');
    assert.equal(accepted.attributes['bird.rate_limited'], false);
    // After a 429 the pacer slows the lane (to 3/4): the next call waits at least one interval.
    assert.ok(Number(accepted.attributes['bird.pacer.held_ms']) >= 150, accepted.raw);
    assertNothingForbidden(calls, { 'Bird access key': secrets.accessKey, workspace: workspaceId });
  });

  it("a failed provisioning shows the refused create and the compensation's delete, with Bird's status codes", async () => {
    traced.stack.sim.scriptFault('createConnector', '503', 1);
    const run = await provisionThroughApi(traced, {}, (number) =>
      traced.stack.sim.configureNumber(number, { outcome: 'error', errorMessage: 'number not verified' }),
    );
    assert.equal(run.ok, false);
    assertCompensatedTrace(await spansOf(run), run);
    assertNothingForbidden(fromReadableSpans(exporter.getFinishedSpans()), forbiddenIn(traced, run));
  });

  it('a traced bulk run: each provisioning is a trace of its own, linked to the bulk run that started it', async () => {
    const { stack } = traced;
    const numbers = [randomUUID(), randomUUID()];
    for (const n of numbers) stack.sim.configureNumber(n, { outcome: 'active', delayMs: 100 });
    const file = join(await mkdtemp(join(tmpdir(), 'traced-bulk-')), 'numbers.csv');
    await writeFile(file, ['phoneNumberId', ...numbers].join('\n') + '\n');
    const inventory = await prepareInventory(
      file,
      smsBulkDefaults(stack, {
        name: 'Acme',
        readiness: { mode: 'poll', initialPollInterval: '100ms', maxPollInterval: '200ms', deadline: '30s' },
      }),
    );
    const client = new Client({
      connection: stack.client.connection,
      namespace: stack.client.options.namespace,
      ...clientTracing(),
    });
    const started = await startBulk(client, stack.bulkStore, inventory, { taskQueue: stack.taskQueue, concurrency: 2 });
    stack.startedWorkflowIds.push(started.workflowId);
    assert.equal((await awaitBulk(client, started.workflowId)).status, 'completed');

    const view = await waitFor(
      'both provisionings traced',
      () => {
        const v = new TraceView(fromReadableSpans(exporter.getFinishedSpans()));
        const runs = v
          .all('RunWorkflow:provisionChannel')
          .filter((r) => v.all('StartChildWorkflow:provisionChannel').some((c) => r.parentSpanId === c.spanId));
        return runs.length === 2 && v.all('RunWorkflow:bulkOnboard').length ? v : undefined;
      },
      20_000,
    );
    const bulk = view.one('RunWorkflow:bulkOnboard');
    const bulkTrace = new Set(view.spans.filter((s) => s.traceId === bulk.traceId).map((s) => s.spanId));
    const children = view
      .all('StartChildWorkflow:provisionChannel')
      .filter((c) => c.links.some((l) => bulkTrace.has(l.spanId)));
    assert.equal(children.length, 2, 'each child start is linked to a span of the bulk run');
    const childTraces = new Set(children.map((c) => c.traceId));
    assert.equal(childTraces.size, 2, 'two provisionings, two traces');
    assert.ok(!childTraces.has(bulk.traceId), "neither is in the bulk run's trace");
    for (const child of children) {
      assert.equal(child.parentSpanId, undefined, "a child start is its trace's root");
      const run = view.one('RunWorkflow:provisionChannel', child);
      assert.ok(view.all(/^RunActivity:/, run).length >= 2, "the provisioning's activities are in its trace");
    }
  });
});

describe('tracing configuration', () => {
  it('is off unless an OTLP endpoint is set, and OTEL_SDK_DISABLED turns it off', () => {
    assert.equal(tracingConfigured({}), false);
    assert.equal(startTracing({ serviceName: 'x', env: {} }), undefined);
    assert.equal(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), true);
    assert.equal(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_SDK_DISABLED: 'true' }), false);
  });

  it('reads the standard sampler variables and names a bad one', () => {
    assert.match(samplerFromEnv({}).toString(), /ParentBased/);
    assert.match(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString(), /AlwaysOff/);
    const ratio = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    assert.match(ratio.toString(), /TraceIdRatioBased\{0.25\}/);
    assert.throws(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' }), /OTEL_TRACES_SAMPLER: "sometimes"/);
    assert.throws(
      () => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }),
      /OTEL_TRACES_SAMPLER_ARG/,
    );
  });

  it('redaction hashes workflow ids, cuts them out of text and keeps request paths to their route', () => {
    const id = 'provision/ws/00000000-0000-4000-8000-000000000001';
    const span = redactSpan({
      name: `failed ${id}`,
      attributes: {
        temporalWorkflowId: id,
        'url.path': '/v1/provisionings/ws/n',
        'http.route': '/v1/provisionings/:w/:n',
      },
      events: [
        { name: 'exception', time: [0, 0], attributes: { 'exception.message': `already started: ${id}` } },
        // The offboarding a start looks for is named by the number too.
        {
          name: 'exception',
          time: [0, 0],
          attributes: { 'exception.message': `not found: ${id.replace('provision/', 'offboard/')}` },
        },
      ],
      links: [],
      status: { code: 2, message: `no ${id}` },
      spanContext: () => ({ traceId: '1', spanId: '2', traceFlags: 1 }),
    } as never);
    const text = JSON.stringify({ ...span, spanContext: undefined });
    assert.ok(!text.includes('00000000-0000-4000-8000-000000000001'), text);
    assert.equal(span.attributes['url.path'], '/v1/provisionings/:w/:n');
    assert.equal(typeof span.attributes['temporalWorkflowId.sha256'], 'string');
  });
});
