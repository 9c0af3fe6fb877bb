/**
 * The run's span (RunWorkflow), its outbound spans (StartActivity, StartChildWorkflow, SignalWorkflow, ContinueAsNew)
 * and the spans of the signals it handles, with the names, parents and headers of Temporal's OpenTelemetry interceptors (but a child
 * starts a trace of its own, linked), made with fewer promises.
 *
 * Why not Temporal's own for these: the workflow sandbox records a stack trace (source-mapped) for every promise a
 * workflow creates, for the UI's stack-trace query. Temporal's `instrument()` nests five async functions per span, so
 * a traced run paid five stack traces per activity it scheduled, on the one workflow thread every run shares (the
 * bench's profile: a sixth of that thread's time with tracing on). Here a span is opened synchronously, the headers
 * carry its context, and one `then` ends it when the call settles; an ended span goes to the worker's span sink at
 * once (Temporal's SimpleSpanProcessor makes two promises per span to do the same). The run's own span (RunWorkflow) is
 * made the same way; Temporal's inbound interceptor is still constructed first (tracing-interceptors.ts), for the
 * sandbox's context manager and propagator it registers, which make every span here a child of the active one.
 */
import {
  context as otelContext,
  SpanStatusCode,
  trace,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import {
  extractContextFromHeaders,
  headersWithContext,
} from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { SpanName, SPAN_DELIMITER } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { ContinueAsNew, type Headers } from '@temporalio/workflow';

/**
 * Makes the call and ends the span when it settles, with the status Temporal's interceptors give; the call's own
 * promise is returned (a call that throws at once still ends its span).
 */
function endWhenSettled<T>(span: Span, call: () => Promise<T>): Promise<T> {
  let result: Promise<T>;
  try {
    result = call();
  } catch (err) {
    markFailure(span, err);
    span.end();
    throw err;
  }
  result.then(
    () => {
      span.setStatus({ code: SpanStatusCode.OK });
      span.end();
    },
    (err: unknown) => {
      markFailure(span, err);
      span.end();
    },
  );
  return result;
}

function markFailure(span: Span, err: unknown): void {
  if (err instanceof ContinueAsNew) {
    span.setStatus({ code: SpanStatusCode.OK });
    return;
  }
  const benign = err instanceof ApplicationFailure && err.category === ApplicationFailureCategory.BENIGN;
  const message = err instanceof Error ? err.message : String(err);
  span.setStatus({ code: benign ? SpanStatusCode.UNSET : SpanStatusCode.ERROR, message });
  if (err instanceof Error) span.recordException(err);
}

/** Hands each ended span to the worker's sink as it ends: the sink's calls already leave once per activation. */
class SinkSpanProcessor implements SpanProcessor {
  readonly #exporter = new SpanExporter();
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.#exporter.export([span], () => undefined);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Opened after Temporal's inbound interceptor, which registers the sandbox's context manager and propagator. */
const sinkTracer = (): Tracer =>
  new BasicTracerProvider({ spanProcessors: [new SinkSpanProcessor()] }).getTracer('@temporalio/interceptor-workflow');

export class LeanSpans {
  readonly #tracer = sinkTracer();

  /** An outbound call: a span under the active one, its context in the call's headers. */
  outbound<I extends { headers: Headers }, T>(kind: SpanName, target: string, input: I, next: (i: I) => Promise<T>) {
    const span = this.#tracer.startSpan(`${kind}${SPAN_DELIMITER}${target}`, this.#newTraceFor(kind));
    const headers = otelContext.with(trace.setSpan(otelContext.active(), span), () =>
      headersWithContext(input.headers),
    );
    return endWhenSettled(span, () => next({ ...input, headers }));
  }

  /**
   * A child (a bulk run's provisioning, an apply's offboarding) starts a trace of its own, linked to the span that
   * started it: one trace per provisioning, and a bulk run of 10,000 numbers is not one trace of 100,000 spans.
   */
  #newTraceFor(kind: SpanName): SpanOptions {
    if (kind !== SpanName.CHILD_WORKFLOW_START) return {};
    const parent = trace.getSpan(otelContext.active())?.spanContext();
    return { root: true, ...(parent ? { links: [{ context: parent }] } : {}) };
  }

  /**
   * The run itself (RunWorkflow) or a handled signal (HandleSignal): a span under the starter's or the sender's (from
   * the headers), active while the run or the handler runs.
   */
  inbound<I extends { headers: Headers }, T>(
    kind: SpanName.WORKFLOW_EXECUTE | SpanName.WORKFLOW_HANDLE_SIGNAL,
    name: string,
    input: I,
    next: (i: I) => Promise<T>,
  ): Promise<T> {
    const parent = extractContextFromHeaders(input.headers) ?? otelContext.active();
    const span = this.#tracer.startSpan(`${kind}${SPAN_DELIMITER}${name}`, {}, parent);
    return otelContext.with(trace.setSpan(parent, span), () => endWhenSettled(span, () => next(input)));
  }
}
