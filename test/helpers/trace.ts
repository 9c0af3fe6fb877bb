/**
 * One provisioning's trace, read back and checked: the same assertions whether the spans come from the in-memory
 * exporter (test/tracing.test.ts, the default suite) or from a real trace store's query API (test/trace/, Jaeger).
 * Spans are brought to one shape first; the checks follow parent ids and links, never timing.
 */
import assert from 'node:assert/strict';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  /** Everything the span carries (events, status, links), for the "nothing personal" check. */
  raw: string;
}

export function fromReadableSpans(spans: readonly ReadableSpan[]): TraceSpan[] {
  return spans.map((s) => ({
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    attributes: { ...s.attributes },
    links: s.links.map((l) => ({ ...l.context, attributes: { ...l.attributes } })),
    raw: JSON.stringify({
      name: s.name,
      attributes: s.attributes,
      events: s.events,
      status: s.status,
      links: s.links,
      resource: s.resource.attributes,
    }),
  }));
}

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: { refType: string; traceID: string; spanID: string }[];
  tags?: { key: string; value: unknown }[];
}

/**
 * Jaeger's query API (/api/traces): a parent is the CHILD_OF reference; links are FOLLOWS_FROM references (link
 * attributes are not kept there).
 */
export function fromJaegerTraces(body: { data: { spans: JaegerSpan[] }[] }): TraceSpan[] {
  return body.data.flatMap((t) =>
    t.spans.map((s) => {
      const refs = s.references ?? [];
      const parent = refs.find((r) => r.refType === 'CHILD_OF');
      return {
        traceId: s.traceID,
        spanId: s.spanID,
        parentSpanId: parent?.spanID,
        name: s.operationName,
        attributes: Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value])),
        links: refs
          .filter((r) => r.refType === 'FOLLOWS_FROM')
          .map((r) => ({ traceId: r.traceID, spanId: r.spanID, attributes: {} })),
        raw: JSON.stringify(s),
      };
    }),
  );
}

export class TraceView {
  readonly #byId = new Map<string, TraceSpan>();
  constructor(readonly spans: TraceSpan[]) {
    for (const s of spans) this.#byId.set(s.spanId, s);
  }

  /** The one span named so (or matching) below `ancestor`; fails naming what there is. */
  one(name: string | RegExp, under?: TraceSpan, where: (s: TraceSpan) => boolean = () => true): TraceSpan {
    const found = this.all(name, under).filter(where);
    assert.ok(found.length >= 1, `no span ${String(name)}${under ? ` under ${under.name}` : ''} in ${this.names()}`);
    return found[0]!;
  }

  all(name: string | RegExp, under?: TraceSpan): TraceSpan[] {
    return this.spans.filter(
      (s) => (typeof name === 'string' ? s.name === name : name.test(s.name)) && (!under || this.isBelow(s, under)),
    );
  }

  isBelow(span: TraceSpan, ancestor: TraceSpan): boolean {
    for (let p = span.parentSpanId; p; p = this.#byId.get(p)?.parentSpanId) if (p === ancestor.spanId) return true;
    return false;
  }

  names(): string {
    return [...new Set(this.spans.map((s) => s.name))].join(', ');
  }
}

/** No forbidden text (secrets, phone-number ids, workflow ids holding them) anywhere in any span. */
export function assertNothingForbidden(spans: readonly TraceSpan[], forbidden: Record<string, string>): void {
  for (const span of spans) {
    for (const [what, text] of Object.entries(forbidden)) {
      assert.ok(!span.raw.includes(text), `span ${span.name} carries the ${what}: ${span.raw.slice(0, 400)}`);
    }
  }
}
