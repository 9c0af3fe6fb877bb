/**
 * Tracing, configured by the OpenTelemetry standard variables (docs/operating.md, "Reading a trace"):
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) turns it on and says where spans go (OTLP over
 * HTTP, protobuf); OTEL_SERVICE_NAME names the process; OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG sample.
 * Unset, nothing is installed: no provider, no interceptor, no instrumentation, so the spans the code opens through
 * @opentelemetry/api (the Bird client's) are the API's no-op spans.
 *
 * One tracing per process, started by its entry point (startTracing) and flushed by runMain when main() ends. The
 * places that build Temporal clients and workers take their interceptors from here (clientTracing, workerTracing);
 * fastify servers are instrumented by @fastify/otel as they are created. Every span passes span-redaction.ts.
 */
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Resource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryNexusInboundInterceptor,
  OpenTelemetryNexusOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  type OpenTelemetrySinks,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSink, InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { ConfigError } from '../config/app-config';
import { RedactingSpanProcessor } from './span-redaction';

/** The variables tracing reads (the OpenTelemetry standard ones). */
export const TRACING_ENV_VARS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_SDK_DISABLED',
] as const;

export interface TracingOptions {
  /** OTEL_SERVICE_NAME wins over it. */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /** Instead of OTLP (tests: an in-memory exporter); spans are then exported one by one, at once. */
  exporter?: SpanExporter;
}

export interface Tracing {
  readonly provider: NodeTracerProvider;
  readonly clientInterceptors: ClientInterceptors;
  readonly workerInterceptors: WorkerInterceptors;
  readonly workflowSinks: InjectedSinks<OpenTelemetrySinks>;
}

let active: { tracing: Tracing; fastify: FastifyOtelInstrumentation } | undefined;

/** Whether the environment asks for tracing (an OTLP endpoint, and OTEL_SDK_DISABLED not true). */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** Installs this process's tracing when configured (or given an exporter); undefined, and nothing done, otherwise. */
export function startTracing(opts: TracingOptions): Tracing | undefined {
  const env = opts.env ?? process.env;
  if (active) return active.tracing;
  if (!opts.exporter && !tracingConfigured(env)) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || opts.serviceName });
  const exporter = opts.exporter ?? new OTLPTraceExporter({ url: tracesUrl(env) });
  const processor = new RedactingSpanProcessor(
    opts.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
  );
  const provider = new NodeTracerProvider({ resource, sampler: samplerFromEnv(env), spanProcessors: [processor] });
  provider.register();
  const fastify = new FastifyOtelInstrumentation({ registerOnInitialization: true });
  fastify.setTracerProvider(provider);
  const client = new OpenTelemetryWorkflowClientInterceptor();
  const tracing: Tracing = {
    provider,
    clientInterceptors: { workflow: [client] },
    workerInterceptors: {
      client: { workflow: [client] },
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
      nexus: [
        (ctx) => ({
          inbound: new OpenTelemetryNexusInboundInterceptor(ctx),
          outbound: new OpenTelemetryNexusOutboundInterceptor(ctx),
        }),
      ],
    },
    workflowSinks: { exporter: workflowExporter(processor, resource) },
  };
  active = { tracing, fastify };
  return tracing;
}

/** Flushes and uninstalls the process's tracing (runMain does it when main() ends). */
export async function stopTracing(): Promise<void> {
  if (!active) return;
  const { tracing, fastify } = active;
  active = undefined;
  fastify.disable();
  await tracing.provider.shutdown();
  trace.disable();
}

/** Options for `new Client(...)`: the tracing interceptor when tracing is on, nothing otherwise. */
export function clientTracing(): { interceptors?: ClientInterceptors } {
  return active ? { interceptors: active.tracing.clientInterceptors } : {};
}

/**
 * Interceptors and sinks for Worker.create. The workflow interceptors are always bundled
 * (src/workflows/tracing-interceptors.ts, a no-op for runs started without a trace); the span sink is always there so
 * a traced run on an untraced worker drops its spans instead of calling a missing sink.
 */
export function workerTracing(): { interceptors?: WorkerInterceptors; sinks: InjectedSinks<OpenTelemetrySinks> } {
  if (!active) return { sinks: { exporter: { export: { fn: () => undefined } } } };
  return { interceptors: active.tracing.workerInterceptors, sinks: active.tracing.workflowSinks };
}

/**
 * Temporal's workflow span sink puts the whole WorkflowInfo on every workflow span, search attributes (the
 * BirdPhoneNumberId) and memo included: only what identifies the run without the number goes on.
 */
function workflowExporter(processor: SpanProcessor, resource: Resource): InjectedSink<OpenTelemetryWorkflowExporter> {
  const sink = makeWorkflowExporter(processor, resource);
  return {
    export: {
      ...sink.export,
      fn: (info, spans) => {
        const kept = {
          temporalWorkflowId: info.workflowId, // hashed by span-redaction.ts
          run_id: info.runId,
          workflowType: info.workflowType,
          taskQueue: info.taskQueue,
          namespace: info.namespace,
          attempt: info.attempt,
        };
        return sink.export.fn(kept as unknown as WorkflowInfo, spans);
      },
    },
  };
}

function tracesUrl(env: NodeJS.ProcessEnv): string {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.trim().replace(/\/+$/, '')}/v1/traces`;
}

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** The standard OTEL_TRACES_SAMPLER values (default parentbased_always_on); a bad value is a configuration error. */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on';
  if (!SAMPLERS.includes(name)) {
    throw new ConfigError([{ field: 'OTEL_TRACES_SAMPLER', reason: `"${name}" is not one of ${SAMPLERS.join(', ')}` }]);
  }
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = arg ? Number(arg) : 1;
  if (name.endsWith('traceidratio') && !(ratio >= 0 && ratio <= 1)) {
    throw new ConfigError([{ field: 'OTEL_TRACES_SAMPLER_ARG', reason: `"${arg}" is not a ratio between 0 and 1` }]);
  }
  const root: Sampler = name.endsWith('always_off')
    ? new AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}
