/**
 * How a provisioning ended, decoded once. Every reader of a finished provisioning goes through here: the client and
 * CLI (`describeOutcome`), the bulk activities (`describeProvisionings`), the bulk workflow (a row's outcome from a
 * report or a lookup), the search attribute and the metric. Pure: no I/O; the callers fetch, this decodes.
 */
import type { ProvisioningSnapshot } from './bulk-decision';
import type { RowOutcome } from './bulk-report';

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
  const reason = f.outcome === 'active' && attached ? 'provisioned by a run started elsewhere (this bulk run waited for it)' : f.reason;
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
      return { outcome: 'failed', connectorId: s.connectorId, reason: s.reason ?? `its provisioning ended ${s.status.toLowerCase()}`, compensated: s.compensated };
  }
}
