/**
 * Every Bird call is a client span (a no-op unless the process installed a tracer provider,
 * src/observability/tracing.ts): the operation, the method and the attempt at the start; the client adds the status
 * code, whether Bird answered 429 and how long the pacer held the call. Never the path, the body or a header: those
 * carry ids and the access key.
 */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { BirdApiError } from './errors';

/** Looked up per call: a provider installed after this module loaded (a process's tracing restarted) is the one used. */
const tracer = () => trace.getTracer('bird-client');

export function inCallSpan<T>(
  call: { operation: string; method: string; attempt: number | undefined },
  send: (span: Span) => Promise<T>,
): Promise<T> {
  const attributes = {
    'bird.operation': call.operation,
    'http.request.method': call.method,
    'bird.attempt': call.attempt,
  };
  return tracer().startActiveSpan(`Bird ${call.operation}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await send(span);
    } catch (err) {
      const kind = err instanceof BirdApiError ? err.kind : 'error';
      span.setAttribute('bird.error.kind', kind);
      span.setStatus({ code: SpanStatusCode.ERROR, message: kind });
      throw err;
    } finally {
      span.end();
    }
  });
}
