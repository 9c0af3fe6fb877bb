/**
 * Finds the provisioning a channel event belongs to and reports the event to it through the reportChannelStatus
 * update, whose validator (in the workflow) accepts only what the run needs: a run not waiting for readiness, a
 * duplicate or a report past the per-run cap is refused without a trace in its history.
 *
 * The mapping is Temporal's own visibility store: the workflow upserts BirdConnectorId/BirdChannelId as soon as it
 * knows them. Visibility is eventually consistent, so when no provisioning is found for a delivery sent moments
 * ago the answer is "not yet" (the receiver answers 503 and Bird retries), within a bounded window.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { trace } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelEvent } from '../bird/events';
import { BirdChannelId, BirdConnectorId } from '../domain/search-attributes';
import { type ChannelStatusReport } from '../domain/provisioning';
import { reportChannelStatusUpdate } from '../domain/messages/provisioning';
import { runTraceLink } from './run-link';

export type RouteOutcome =
  | { outcome: 'accepted'; workflowId: string }
  | { outcome: 'refused'; workflowId: string; reason: string }
  | { outcome: 'no-run' }
  | { outcome: 'not-yet' };

export interface Delivery {
  /** What the signature covers (timestamp + body digest): the identity of a delivery, stable across Bird's retries. */
  deliveryKey: string;
  /** When Bird sent it (its signed timestamp), in ms. */
  sentAtMs: number;
}

/** How many runs matching one channel's ids are read (one is the rule). */
const MATCHES_READ = 10;

export type StatusRouter = (event: ChannelEvent, delivery: Delivery) => Promise<RouteOutcome>;

export interface StatusRouterOptions {
  /** Quick lookups within the request before answering "not yet". */
  lookupRetryDelaysMs?: number[];
  /** How long after Bird sent it a delivery for no known provisioning is answered "not yet" (Bird retries). */
  notYetWindowMs?: number;
  /** How long to wait for the run to take the report; past it the receiver answers 503 and Bird retries. */
  updateTimeoutMs?: number;
  now?: () => number;
}

/** Looked up per delivery: a provider installed after this module loaded is the one used. */
const tracer = () => trace.getTracer('webhook-receiver');

export function temporalStatusRouter(client: Client, opts: StatusRouterOptions = {}): StatusRouter {
  const delays = opts.lookupRetryDelaysMs ?? [250, 500];
  const notYetWindowMs = opts.notYetWindowMs ?? 5 * 60_000;
  const updateTimeoutMs = opts.updateTimeoutMs ?? 10_000;
  const now = opts.now ?? Date.now;

  /**
   * The provisioning of this channel: the running one if any, else one that has finished. One query for both, so a
   * run that becomes visible between two lookups is seen as what it is (a running run taken for a finished one
   * would drop the report).
   */
  async function findProvisioning(
    event: ChannelEvent,
  ): Promise<{ workflowId: string; runId: string; running: boolean } | undefined> {
    // Both ids were validated as UUIDs by the event schema, so they are safe inside the query string.
    const clauses = [`${BirdChannelId.name} = '${event.payload.channelId.toLowerCase()}'`];
    if (event.payload.connectorId)
      clauses.push(`${BirdConnectorId.name} = '${event.payload.connectorId.toLowerCase()}'`);
    const query = `WorkflowType = 'provisionChannel' AND (${clauses.join(' OR ')})`;
    let finished: { workflowId: string; runId: string } | undefined;
    let seen = 0;
    // A connector belongs to one run: a handful of matches at most (its retried attempts).
    for await (const execution of client.workflow.list({ query, pageSize: MATCHES_READ })) {
      const { workflowId, runId } = execution;
      if (execution.status.name === 'RUNNING') return { workflowId, runId, running: true };
      finished ??= { workflowId, runId };
      if (++seen >= MATCHES_READ) break;
    }
    return finished ? { ...finished, running: false } : undefined;
  }

  async function report(workflowId: string, event: ChannelEvent, delivery: Delivery): Promise<RouteOutcome> {
    const statusReport: ChannelStatusReport = {
      event: event.event,
      channelId: event.payload.channelId,
      connectorId: event.payload.connectorId,
      status: event.payload.status,
      stage: event.payload.stage,
      errorMessage: event.payload.errorMessage,
      deliveryKey: delivery.deliveryKey,
    };
    try {
      await client.withDeadline(now() + updateTimeoutMs, () =>
        client.workflow.getHandle(workflowId).executeUpdate(reportChannelStatusUpdate, { args: [statusReport] }),
      );
      return { outcome: 'accepted', workflowId };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError)
        return { outcome: 'refused', workflowId, reason: err.cause?.message ?? err.message };
      if (err instanceof WorkflowNotFoundError) return { outcome: 'no-run' }; // finished meanwhile
      throw err; // Temporal unreachable or the run did not answer in time: Bird retries
    }
  }

  /** The report, in a span linked to the run's trace (src/webhook-receiver/run-link.ts) when tracing is on. */
  async function reportLinked(run: { workflowId: string; runId: string }, event: ChannelEvent, delivery: Delivery) {
    const link = await runTraceLink(client, run.workflowId, run.runId);
    const options = { attributes: { run_id: run.runId }, links: link ? [link] : [] };
    return tracer().startActiveSpan('ReportChannelStatus', options, async (span) => {
      try {
        const routed = await report(run.workflowId, event, delivery);
        span.setAttribute('webhook.outcome', routed.outcome);
        return routed;
      } finally {
        span.end();
      }
    });
  }

  return async (event, delivery) => {
    for (let attempt = 0; ; attempt++) {
      const found = await findProvisioning(event);
      if (found?.running) return reportLinked(found, event, delivery);
      // Its provisioning has finished: the event is no longer needed.
      if (found) return { outcome: 'no-run' };
      const delay = delays[attempt];
      if (delay === undefined) break;
      await sleep(delay);
    }
    // Nothing yet: it may be a connector created moments ago whose ids are not yet visible. Let Bird retry, for a while.
    return now() - delivery.sentAtMs < notYetWindowMs ? { outcome: 'not-yet' } : { outcome: 'no-run' };
  };
}
