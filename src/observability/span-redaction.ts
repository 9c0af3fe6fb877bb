/**
 * What leaves the process in a span: nothing personal, nothing secret. Every span (the process's own and the
 * workflow spans arriving through the sink) passes this processor before the exporter sees it.
 *
 * - Workflow ids contain the phone-number id (`provision/<workspace>/<number>`), so the Temporal interceptors'
 *   `temporalWorkflowId` attribute is replaced by `temporalWorkflowId.sha256`, the first 16 hex digits of its SHA-256:
 *   the run is found by its `run_id` (kept: a random UUID), and an operator who knows a number can hash its workflow
 *   id to find its traces. Any other string that holds a workflow id (an error message, a span name) has the id cut.
 * - Request paths can carry a workflow id (`/provisionings/{id}`): `url.path`/`url.full`/`http.target` become the
 *   route template (`http.route`) or are left out.
 * - Keys are never put on spans in the first place (the Bird client records the operation, not its headers); this
 *   processor is the net under that rule, and the trace tests read whole traces back to check it.
 */
import { createHash } from 'node:crypto';
import type { Attributes, AttributeValue, Context, Link } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';

const WORKFLOW_ID_KEY = 'temporalWorkflowId';
const PATH_KEYS = ['url.path', 'url.full', 'http.target', 'http.url', 'url.query'];
/**
 * A workflow id that names a channel (a provisioning's, an offboarding's) inside any text, up to the next blank,
 * quote or bracket.
 */
const WORKFLOW_ID_IN_TEXT = /(provision|offboard)\/[^\s"'`)\]]+/g;

export function hashId(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

export function scrubText(text: string): string {
  return text.replace(WORKFLOW_ID_IN_TEXT, '$1/<redacted>');
}

function scrubValue(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? scrubText(v) : v)) as AttributeValue;
  return value;
}

export function redactAttributes(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key === WORKFLOW_ID_KEY) {
      if (typeof value === 'string') out[`${WORKFLOW_ID_KEY}.sha256`] = hashId(value);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      continue; // not an attribute value OpenTelemetry knows (a WorkflowInfo's search attributes, its memo)
    } else if (PATH_KEYS.includes(key)) {
      const route = attributes['http.route'];
      if (typeof route === 'string') out[key] = route;
    } else {
      out[key] = scrubValue(value);
    }
  }
  return out;
}

export function redactSpan(span: ReadableSpan): ReadableSpan {
  const links: Link[] = span.links.map((l) => ({
    ...l,
    ...(l.attributes ? { attributes: redactAttributes(l.attributes) } : {}),
  }));
  const events: TimedEvent[] = span.events.map((e) => ({
    ...e,
    name: scrubText(e.name),
    ...(e.attributes ? { attributes: redactAttributes(e.attributes) } : {}),
  }));
  return {
    name: scrubText(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanId: span.parentSpanId,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status.message ? { ...span.status, message: scrubText(span.status.message) } : span.status,
    attributes: redactAttributes(span.attributes),
    links,
    events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Hands every ended span, redacted, to the processor that exports it. */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly inner: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.inner.onEnd(redactSpan(span));
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
