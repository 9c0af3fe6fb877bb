/**
 * A traced stack (tracing started first, so the worker, the receiver and the HTTP API it builds are instrumented)
 * and the provisionings the trace tests run through it, with what their traces must show. Used by the in-memory
 * test (test/tracing.test.ts) and the trace-store test (test/trace/jaeger.trace.ts).
 */
import assert from 'node:assert/strict';
import { Client } from '@temporalio/client';
import { awaitResult } from '../../src/client/provisioning-client';
import { ensureWorkspaceSubscription } from '../../src/client/subscriptions-client';
import type { ProvisionChannelInputRaw } from '../../src/domain/provisioning-input';
import { hashId } from '../../src/observability/span-redaction';
import { clientTracing, startTracing, stopTracing, type TracingOptions } from '../../src/observability/tracing';
import { startApi, type ApiHarness } from './http-api';
import { RECEIVER_PUBLIC_URL, SIGNING_KEY_REF, smsInput, startStack, type Stack } from './stack';
import { TraceView, type TraceSpan } from './trace';

export interface TracedStack {
  stack: Stack;
  api: ApiHarness;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startTracedStack(tracing: TracingOptions): Promise<TracedStack> {
  const started = startTracing(tracing);
  assert.ok(started, 'tracing did not start');
  const stack = await startStack({ receiver: true, sim: { provisioningDelayMs: 300 } });
  for (const event of ['channel.updated', 'channel.created'] as const) {
    const ensured = await ensureWorkspaceSubscription(
      stack.client,
      {
        organizationId: stack.organizationId,
        workspaceId: stack.workspaceId,
        event,
        url: RECEIVER_PUBLIC_URL,
        signingKeyRef: SIGNING_KEY_REF,
      },
      { taskQueue: stack.taskQueue },
    );
    stack.startedWorkflowIds.push(ensured.workflowId);
  }
  // The door's client, as src/api/main.ts builds it: with the tracing interceptor.
  const client = new Client({
    connection: stack.client.connection,
    namespace: stack.client.options.namespace,
    ...clientTracing(),
  });
  const api = await startApi(stack, { client });
  return {
    stack,
    api,
    flush: () => started.provider.forceFlush(),
    async close() {
      await api.app.close();
      try {
        await stack.closeCheckingHistories();
      } finally {
        await stopTracing();
      }
    },
  };
}

/**
 * Ready by webhook, with a status read before (polls at 0.2 s, 0.6 s, 1.4 s, then 3 s: the number turns active at
 * 2 s, and the delivery comes first) and a per-channel subscription: every kind of activity in one run.
 */
export const readyByWebhook: Partial<ProvisionChannelInputRaw> = {
  readiness: { mode: 'both', initialPollInterval: '200ms', maxPollInterval: '30s', deadline: '30s' },
  subscriptions: [
    {
      service: 'channels',
      event: 'channel.updated',
      url: 'https://hooks.example.com/channel-events',
      signingKeyRef: SIGNING_KEY_REF,
    },
  ],
};

export interface Provisioned {
  input: ProvisionChannelInputRaw;
  phoneNumberId: string;
  workflowId: string;
  runId: string;
  ok: boolean;
}

/** POST /v1/provisionings, then the run's outcome. */
export async function provisionThroughApi(
  { stack, api }: TracedStack,
  overrides: Partial<ProvisionChannelInputRaw> = {},
  beforeStart: (phoneNumberId: string) => void = () => undefined,
): Promise<Provisioned> {
  const input = smsInput(stack, overrides);
  const phoneNumberId = (input.connector.arguments as { phoneNumberId: string }).phoneNumberId;
  beforeStart(phoneNumberId);
  const response = await api.call('POST', '/v1/provisionings', { body: input });
  assert.equal(response.status, 202, response.text);
  const { workflowId, runId } = response.json as { workflowId: string; runId: string };
  stack.startedWorkflowIds.push(workflowId);
  const outcome = await awaitResult(stack.client, workflowId);
  return { input, phoneNumberId, workflowId, runId, ok: outcome.ok };
}

/** The run's own spans: HTTP request → client start → workflow. */
export function runChain(view: TraceView, run: Provisioned): { start: TraceSpan; workflow: TraceSpan } {
  const start = view.one('StartWorkflow:provisionChannel', undefined, (s) => s.attributes.run_id === run.runId);
  // @fastify/otel's request span (its hook and handler spans carry the route too).
  const request = view.spans.find(
    (s) => s.name === 'request' && view.isBelow(start, s) && s.attributes['http.route'] === '/v1/provisionings',
  );
  assert.ok(request, `the client start is not below the HTTP request span (${view.names()})`);
  assert.equal(request.attributes['http.request.method'], 'POST');
  // The workflow id holds the number: only its hash is on the span, beside the run id.
  assert.equal(start.attributes.temporalWorkflowId, undefined);
  assert.equal(start.attributes['temporalWorkflowId.sha256'], hashId(run.workflowId));
  const workflow = view.one('RunWorkflow:provisionChannel', start);
  return { start, workflow };
}

/** Under `activity`: a Bird call span with its operation and status code (and the attempt it belongs to). */
export function birdCall(view: TraceView, under: TraceSpan, operation: string, status: number): TraceSpan {
  const call = view.one(
    `Bird ${operation}`,
    under,
    (s) => Number(s.attributes['http.response.status_code']) === status,
  );
  assert.equal(call.attributes['bird.operation'], operation);
  assert.equal(typeof call.attributes['bird.rate_limited'], 'boolean');
  assert.ok(Number(call.attributes['bird.attempt']) >= 1, `no attempt on ${call.raw}`);
  return call;
}

/** A provisioning ready by webhook: the whole chain, and the delivery linked to the run. */
export function assertReadyByWebhookTrace(view: TraceView, run: Provisioned): void {
  const { workflow } = runChain(view, run);
  birdCall(view, view.one('RunActivity:createConnector', workflow), 'createConnector', 201);
  birdCall(view, view.one('RunActivity:createChannelSubscription', workflow), 'createLegacyWebhookSubscription', 201);
  const status = view.one(
    /^RunActivity:(getChannelReadiness|awaitChannelActive)$/,
    workflow,
    (a) => view.all('Bird getConnectorStatus', a).length > 0,
  );
  birdCall(view, status, 'getConnectorStatus', 200);
  const report = view.one('ReportChannelStatus', undefined, (s) => s.links.some((l) => l.traceId === workflow.traceId));
  assert.equal(report.attributes.run_id, run.runId);
  const delivery = view.spans.find(
    (s) => s.name === 'request' && view.isBelow(report, s) && s.attributes['http.route'] === '/bird/events',
  );
  assert.ok(delivery, `the report is not below the receiver's request span (${view.names()})`);
}

/** A create refused once (503) then accepted, and a failed readiness: the compensation's delete, with its status. */
export function assertCompensatedTrace(view: TraceView, run: Provisioned): void {
  const { workflow } = runChain(view, run);
  const creates = view.all('RunActivity:createConnector', workflow);
  const refused = creates
    .flatMap((a) => view.all('Bird createConnector', a))
    .find((s) => Number(s.attributes['http.response.status_code']) === 503);
  assert.ok(refused, `no refused create in ${creates.length} create attempt(s)`);
  assert.equal(refused.attributes['bird.attempt'], 1);
  const accepted = creates
    .flatMap((a) => view.all('Bird createConnector', a))
    .find((s) => Number(s.attributes['http.response.status_code']) === 201);
  assert.ok(accepted, 'no accepted create');
  assert.equal(accepted.attributes['bird.attempt'], 2);
  birdCall(view, view.one('RunActivity:deleteConnector', workflow), 'deleteConnector', 204);
}

/** What must appear in no span of a provisioning's trace: the keys, its number, its workflow id (which holds it). */
export function forbiddenIn(traced: TracedStack, run: Provisioned): Record<string, string> {
  const { secrets } = traced.stack;
  return {
    'Bird access key': secrets.accessKey,
    'signing key': secrets.signingKey,
    'API key': traced.api.keyA,
    'phone-number id': run.phoneNumberId,
    'workflow id': run.workflowId,
  };
}
