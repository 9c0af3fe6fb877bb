/**
 * The product's workflow-side metrics, emitted through the SDK's workflow metricMeter (a sink: nothing is emitted
 * while a workflow replays, so a counter counts each run once however often a worker rebuilds it). The SDK adds
 * namespace, task_queue and workflow_type to every one.
 *
 *   provisionings_started                       a provisioning began executing (first attempt, not replays)
 *   provisionings_finished{outcome}             completed | compensated | compensation_failed | cancelled |
 *                                               invalid_input | failed (a bug or a timeout, not a Bird verdict):
 *                                               the outcomes of domain/provisioning-outcome, spelled as METRIC_LABEL
 *                                               maps them (the label values dashboards select on; docs/outcomes.md)
 *   provisioning_readiness_wait (ms histogram)  connector created → channel ready, for completed runs
 *
 * "Active" provisionings are `started - finished` in PromQL (a gauge per worker would be wrong with N workers).
 */
import { isCancellation, metricMeter } from '@temporalio/workflow';
import { endOfFailure, METRIC_LABEL, outcomeOfEnd, type ProvisioningOutcomeName } from '../domain/provisioning-outcome';
import type { ProvisionChannelResult } from '../domain/provisioning';

const started = metricMeter.createCounter('provisionings_started', '1', 'provisionings that began executing');
const finished = metricMeter.createCounter('provisionings_finished', '1', 'provisionings by outcome');
const readinessWait = metricMeter.createHistogram(
  'provisioning_readiness_wait',
  'int',
  'ms',
  'connector created to channel ready',
);

export function recordProvisioningStarted(): void {
  started.add(1);
}

export function recordProvisioningFinished(outcome: ProvisioningOutcomeName): void {
  finished.add(1, { outcome: METRIC_LABEL[outcome] });
}

export function recordReadinessWait(ms: number): void {
  if (Number.isFinite(ms) && ms >= 0) readinessWait.record(Math.round(ms));
}

/** What the error a provisionChannel run ends with means (a cancellation may arrive wrapped: isCancellation). */
export function outcomeOfFailure(err: unknown): ProvisioningOutcomeName {
  if (isCancellation(err)) return 'cancelled';
  return outcomeOfEnd(endOfFailure(err, ''));
}

export function recordProvisioningResult(result: ProvisionChannelResult): void {
  recordProvisioningFinished('active');
  recordReadinessWait(result.timings?.readinessWaitMs);
}
