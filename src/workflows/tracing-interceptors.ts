/**
 * Tracing inside the workflow sandbox (bundled like ./interceptors, src/worker/factory.ts): Temporal's OpenTelemetry
 * workflow interceptors, for runs whose starter traced them. A run started with a trace context in its headers gets
 * a RunWorkflow span, child of the starter's span, with a StartActivity span around each activity it schedules (the
 * activity's headers carry the context on to its RunActivity span); a traced signal gets its HandleSignal span. A
 * run started without one (tracing off, or a history recorded before tracing) runs exactly as without this module:
 * no span, no tracer, no header added, so its commands and its replay are unchanged. The spans are made by
 * ./tracing/lean-spans.ts, for the workflow thread's sake; Temporal's interceptors remain for the sandbox's context
 * manager and propagator, updates, Nexus operations and log attributes.
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
  SpanName,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import {
  workflowInfo,
  type Headers,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { LeanSpans } from './tracing/lean-spans';

/** Where Temporal's interceptors carry the trace context (TRACE_HEADER in @temporalio/interceptors-opentelemetry). */
const TRACE_HEADER = '_tracer-data';

const traced = (headers: Headers) => TRACE_HEADER in headers;

export const interceptors: WorkflowInterceptorsFactory = () => {
  let otel:
    | { inbound: OpenTelemetryInboundInterceptor; outbound: OpenTelemetryOutboundInterceptor; lean: LeanSpans }
    | undefined;
  const start = () =>
    (otel ??= {
      inbound: new OpenTelemetryInboundInterceptor(),
      outbound: new OpenTelemetryOutboundInterceptor(),
      lean: new LeanSpans(),
    });
  const inbound: WorkflowInboundCallsInterceptor = {
    execute: (input, next) =>
      traced(input.headers)
        ? start().lean.inbound(SpanName.WORKFLOW_EXECUTE, workflowInfo().workflowType, input, next)
        : next(input),
    handleSignal: (input, next) =>
      otel || traced(input.headers)
        ? start().lean.inbound(SpanName.WORKFLOW_HANDLE_SIGNAL, input.signalName, input, next)
        : next(input),
    handleUpdate: (input, next) =>
      otel || traced(input.headers) ? start().inbound.handleUpdate(input, next) : next(input),
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) =>
      otel ? otel.lean.outbound(SpanName.ACTIVITY_START, input.activityType, input, next) : next(input),
    scheduleLocalActivity: (input, next) =>
      otel ? otel.lean.outbound(SpanName.ACTIVITY_START, input.activityType, input, next) : next(input),
    startChildWorkflowExecution: (input, next) =>
      otel ? otel.lean.outbound(SpanName.CHILD_WORKFLOW_START, input.workflowType, input, next) : next(input),
    continueAsNew: (input, next) =>
      otel ? otel.lean.outbound(SpanName.CONTINUE_AS_NEW, input.options.workflowType, input, next) : next(input),
    signalWorkflow: (input, next) =>
      otel ? otel.lean.outbound(SpanName.WORKFLOW_SIGNAL, input.signalName, input, next) : next(input),
    startNexusOperation: (input, next) => (otel ? otel.outbound.startNexusOperation(input, next) : next(input)),
    getLogAttributes: (input, next) => (otel ? otel.outbound.getLogAttributes(input, next) : next(input)),
  };
  return { inbound: [inbound], outbound: [outbound], internals: [new OpenTelemetryInternalsInterceptor()] };
};
