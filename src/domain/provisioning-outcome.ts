/**
 * How a provisioning ended, decoded once, in one vocabulary (docs/outcomes.md). Every reader of a finished
 * provisioning goes through here: the client and CLI (`describeOutcome`), the bulk activities
 * (`describeProvisionings`), the bulk workflow (a row's outcome from a report or a lookup), the search attribute and
 * the metric. Pure: the callers fetch (describe, result), this decodes.
 */
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { PROVISIONING_FAILED, type ProvisionChannelResult, type ProvisioningFailureDetails } from './provisioning';
import type { ProvisioningSnapshot } from './bulk-decision';
import type { RowOutcome } from './bulk-report';
import { isCompensated, type UndoRecord } from './compensation';
import { INVALID_WORKFLOW_INPUT } from './failure-types';

/**
 * How a provisioning ended, as the `ProvisioningOutcome` search attribute, the CLI and the metric (through
 * METRIC_LABEL) name it. Kebab-case, like the bulk report's outcomes.
 */
export const PROVISIONING_OUTCOMES = [
  'active',
  'compensated',
  'compensation-failed',
  'cancelled',
  'invalid-input',
  'failed',
] as const;
export type ProvisioningOutcomeName = (typeof PROVISIONING_OUTCOMES)[number];

/**
 * The `outcome` label values of the `provisionings_finished` metric. They keep the spelling the metric has always had
 * (dashboards and alerts select on it): a label value is part of the metric's contract, so the three names that
 * differ from the vocabulary above are mapped here, once, rather than renamed under the dashboards' feet.
 */
export const METRIC_LABEL: Record<ProvisioningOutcomeName, string> = {
  active: 'completed',
  compensated: 'compensated',
  'compensation-failed': 'compensation_failed',
  cancelled: 'cancelled',
  'invalid-input': 'invalid_input',
  failed: 'failed',
};

/** A provisioning that is no longer running, decoded from its result or from its failure. */
export type ProvisioningEnd =
  | { status: 'COMPLETED'; result: ProvisionChannelResult }
  | { status: 'FAILED'; reason: string; details?: ProvisioningFailureDetails; invalidInput?: true }
  /** A cancellation carries no details: what the compensation undid is read from the run (progress or history). */
  | { status: 'CANCELLED' }
  | { status: 'TERMINATED'; reason: string }
  | { status: 'TIMED_OUT'; reason: string };

/**
 * Decodes the failure of a run that did not complete: the cause of the client's WorkflowFailedError (or the error a
 * workflow ends with); `message` stands in when there is no cause.
 */
export function endOfFailure(cause: unknown, message: string): Exclude<ProvisioningEnd, { status: 'COMPLETED' }> {
  if (cause instanceof CancelledFailure) return { status: 'CANCELLED' };
  if (cause instanceof TerminatedFailure) {
    return {
      status: 'TERMINATED',
      reason: `terminated (${cause.message || 'by an operator or a limit'}); its connector, if any, was not undone`,
    };
  }
  if (cause instanceof TimeoutFailure)
    return { status: 'TIMED_OUT', reason: 'timed out (the workflow execution timeout passed)' };
  // Decoded by the failure's type, not by the shape of its details.
  if (cause instanceof ApplicationFailure && cause.type === PROVISIONING_FAILED) {
    return {
      status: 'FAILED',
      reason: cause.message,
      details: cause.details?.[0] as ProvisioningFailureDetails | undefined,
    };
  }
  if (cause instanceof ApplicationFailure && cause.type === INVALID_WORKFLOW_INPUT)
    return { status: 'FAILED', reason: cause.message, invalidInput: true };
  return { status: 'FAILED', reason: cause instanceof Error ? cause.message : message };
}

/**
 * The outcome of a run that failed or was cancelled, from what its compensation reports. `compensation-failed`
 * whenever something the run made is still in Bird (isCompensated: a failed undo, or a webhook subscription Bird's
 * API cannot delete), so the outcome and the report's `compensated` never disagree.
 */
export function outcomeOfCompensation(d: Partial<UndoRecord>, cancelled: boolean): ProvisioningOutcomeName {
  if (!isCompensated(d)) return 'compensation-failed';
  return cancelled ? 'cancelled' : 'compensated';
}

/** The outcome's name (a cancelled run's compensation is not in its end: see outcomeOfCompensation). */
export function outcomeOfEnd(end: ProvisioningEnd): ProvisioningOutcomeName {
  switch (end.status) {
    case 'COMPLETED':
      return 'active';
    case 'CANCELLED':
      return 'cancelled';
    case 'FAILED':
      if (end.details) return outcomeOfCompensation(end.details, false);
      return end.invalidInput ? 'invalid-input' : 'failed';
    default:
      return 'failed';
  }
}

/** A closed provisioning as a bulk run sees it (`describeProvisionings`). */
export function snapshotOfEnd(end: ProvisioningEnd, closedAt: string | undefined): ProvisioningSnapshot {
  switch (end.status) {
    case 'COMPLETED':
      return { status: end.status, closedAt, connectorId: end.result.connectorId, channelId: end.result.channelId };
    case 'FAILED':
      return {
        status: end.status,
        closedAt,
        connectorId: end.details?.connectorId,
        reason: end.reason,
        compensated: end.details ? isCompensated(end.details) : undefined,
      };
    case 'CANCELLED':
      return { status: end.status, closedAt, reason: 'cancelled' };
    default:
      return { status: end.status, closedAt, reason: end.reason };
  }
}

/** A row's outcome without its position (the window knows the row and the workflow id). */
export type RowResult = Omit<RowOutcome, 'row' | 'workflowId'>;

/** A provisioning's own report of its end (the `provisioningFinished` signal), as far as a bulk row needs it. */
export interface FinishedReport {
  outcome: 'active' | 'failed' | 'cancelled';
  connectorId?: string;
  channelId?: string;
  reason?: string;
  compensated?: boolean;
}

/** A bulk row's result from its provisioning's report; `attached` when the run was started elsewhere. */
export function rowResultOfReport(f: FinishedReport, attached: boolean): RowResult {
  const reason =
    f.outcome === 'active' && attached
      ? 'provisioned by a run started elsewhere (this bulk run waited for it)'
      : f.reason;
  return { outcome: f.outcome, connectorId: f.connectorId, channelId: f.channelId, reason, compensated: f.compensated };
}

/** A bulk row's result from a lookup of its closed provisioning (its report never reached the bulk run). */
export function rowResultOfSnapshot(s: ProvisioningSnapshot, attached: boolean): RowResult {
  switch (s.status) {
    case 'COMPLETED':
      return rowResultOfReport({ outcome: 'active', connectorId: s.connectorId, channelId: s.channelId }, attached);
    case 'CANCELLED':
      return { outcome: 'cancelled', reason: s.reason ?? 'cancelled' };
    default:
      return {
        outcome: 'failed',
        connectorId: s.connectorId,
        reason: s.reason ?? `its provisioning ended ${s.status.toLowerCase()}`,
        compensated: s.compensated,
      };
  }
}
