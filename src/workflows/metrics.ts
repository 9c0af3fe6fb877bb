/**
 * The product's workflow-side metrics, emitted through the SDK's workflow metricMeter (a sink: nothing is emitted
 * while a workflow replays, so a counter counts each run once however often a worker rebuilds it). The SDK adds
 * namespace, task_queue and workflow_type to every one.
 *
 *   provisionings_started                       a provisioning began executing (first attempt, not replays)
 *   provisionings_finished{outcome}             completed | compensated | compensation_failed | cancelled |
 *                                               invalid_input | failed (a bug or a timeout, not a Bird verdict)
 *   provisioning_readiness_wait (ms histogram)  connector created → channel ready, for completed runs
 *
 * "Active" provisionings are `started - finished` in PromQL (a gauge per worker would be wrong with N workers).
 */
import { ApplicationFailure, isCancellation, metricMeter } from '@temporalio/workflow';
import { INVALID_INPUT, PROVISIONING_FAILED, type ProvisionChannelResult, type ProvisioningFailureDetails } from './definitions';

export type ProvisioningOutcome = 'completed' | 'compensated' | 'compensation_failed' | 'cancelled' | 'invalid_input' | 'failed';

const started = metricMeter.createCounter('provisionings_started', '1', 'provisionings that began executing');
const finished = metricMeter.createCounter('provisionings_finished', '1', 'provisionings by outcome');
const readinessWait = metricMeter.createHistogram('provisioning_readiness_wait', 'int', 'ms', 'connector created to channel ready');

export function recordProvisioningStarted(): void {
  started.add(1);
}

export function recordProvisioningFinished(outcome: ProvisioningOutcome): void {
  finished.add(1, { outcome });
}

export function recordReadinessWait(ms: number): void {
  if (Number.isFinite(ms) && ms >= 0) readinessWait.record(Math.round(ms));
}

/** What a provisionChannel run's result or error means, in the outcome vocabulary above. */
export function outcomeOfFailure(err: unknown): ProvisioningOutcome {
  if (isCancellation(err)) return 'cancelled';
  if (err instanceof ApplicationFailure) {
    if (err.type === INVALID_INPUT) return 'invalid_input';
    if (err.type === PROVISIONING_FAILED) {
      const details = err.details?.[0] as Partial<ProvisioningFailureDetails> | undefined;
      return details?.compensationFailures?.length ? 'compensation_failed' : 'compensated';
    }
  }
  return 'failed';
}

export function recordProvisioningResult(result: ProvisionChannelResult): void {
  recordProvisioningFinished('completed');
  recordReadinessWait(result.timings?.readinessWaitMs);
}
