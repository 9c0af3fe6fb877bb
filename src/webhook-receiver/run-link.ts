/**
 * The span of a webhook delivery links to the trace of the run it woke: the run's trace context travels in its
 * start event's header (put there by the starter's tracing interceptor), so one history event is read, only when
 * the delivery is being traced, and becomes a span link. The delivery keeps its own trace (Bird's request), and a
 * trace viewer follows the link to the provisioning.
 */
import { propagation, ROOT_CONTEXT, trace, type Link } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

/** Where Temporal's interceptors carry the trace context (TRACE_HEADER in @temporalio/interceptors-opentelemetry). */
const TRACE_HEADER = '_tracer-data';

/** The link to the run's trace, or undefined: tracing off, the run untraced, or its start event unreadable. */
export async function runTraceLink(client: Client, workflowId: string, runId: string): Promise<Link | undefined> {
  if (!trace.getActiveSpan()?.isRecording()) return undefined;
  try {
    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: 1,
    });
    const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.[TRACE_HEADER];
    if (!payload) return undefined;
    const carrier = defaultPayloadConverter.fromPayload<Record<string, string>>(payload);
    const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
    return spanContext ? { context: spanContext, attributes: { run_id: runId } } : undefined;
  } catch {
    return undefined; // the link is a convenience: the delivery is reported all the same
  }
}
