/**
 * What a bulk run does with one number, from what Temporal and Bird already know about it. Pure, so the rule is
 * tested on its own and the workflow only carries it out.
 *
 * "Already provisioned" is decided by workflow identity first (the number's provisioning run, whose id is derived
 * from workspace and number) and by what Bird has second (a connector for the number in the workspace), never by
 * luck: a number is started only when neither knows of it.
 */
import { isChannelActive } from './readiness';

/** A provisioning run as the bulk run sees it (from describe, or from its result). */
export interface ProvisioningSnapshot {
  status:
    'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT' | 'CONTINUED_AS_NEW' | 'UNKNOWN';
  /** ISO time the run closed, when it has. */
  closedAt?: string;
  connectorId?: string;
  channelId?: string;
  reason?: string;
  compensated?: boolean;
}

/** A connector for the row that Bird already has (from the run's index of the workspace). */
export interface KnownConnector {
  connectorId: string;
  channelId?: string;
  name: string;
  /** For a template identified by name: the connector is one of ours with the row's template and name. */
  byName?: boolean;
}

export type RowDecision =
  | { action: 'start' }
  /** Its provisioning is running (started elsewhere): wait for its outcome. */
  | { action: 'attach' }
  /** Bird has a connector for it and no run of ours explains it: read its status before deciding. */
  | { action: 'check-bird'; connector: KnownConnector }
  | { action: 'done'; outcome: 'already-active' | 'failed'; connectorId?: string; channelId?: string; reason: string };

/**
 * @param indexedAt when the run indexed Bird's connectors (ISO); a run that closed after it may not be in the index.
 * @param createAgain an apply's create child: a number whose completed provisioning's connector is gone (offboarded
 *   by a repair, or deleted by hand) is provisioned again, not reported failed.
 */
export function decideRow(
  known: { provisioning?: ProvisioningSnapshot; existing?: KnownConnector },
  indexedAt: string | undefined,
  createAgain = false,
): RowDecision {
  const { provisioning: p, existing } = known;
  if (p?.status === 'RUNNING') return { action: 'attach' };
  if (p?.status === 'COMPLETED') {
    const closedAfterIndex = !indexedAt || !p.closedAt || p.closedAt >= indexedAt;
    if (existing || closedAfterIndex) {
      return {
        action: 'done',
        outcome: 'already-active',
        connectorId: p.connectorId ?? existing?.connectorId,
        channelId: p.channelId ?? existing?.channelId,
        reason: 'provisioned earlier (its provisioning run completed)',
      };
    }
    if (createAgain) return { action: 'start' };
    return {
      action: 'done',
      outcome: 'failed',
      connectorId: p.connectorId,
      reason: `provisioned earlier (connector ${p.connectorId ?? '?'}), but Bird no longer has a connector for this number; delete that completed run (temporal workflow delete) to provision it again`,
    };
  }
  if (existing) return { action: 'check-bird', connector: existing };
  return { action: 'start' };
}

/** After reading the status of a connector Bird already had. */
export function decideKnownConnector(
  connector: KnownConnector,
  status: { status?: string | null; stage?: string | null; channelId?: string },
): RowDecision {
  if (isChannelActive(status)) {
    return {
      action: 'done',
      outcome: 'already-active',
      connectorId: connector.connectorId,
      channelId: status.channelId ?? connector.channelId,
      reason: `Bird already has an active connector for this ${connector.byName ? 'template and name' : 'number'}`,
    };
  }
  const state = `${status.status ?? '?'}/${status.stage ?? '?'}`;
  return {
    action: 'done',
    outcome: 'failed',
    connectorId: connector.connectorId,
    reason: connector.byName
      ? `Bird already has a connector of ours for this template and name ("${connector.name}", ${state}) that no provisioning run explains; left untouched`
      : `Bird already has a connector for this number ("${connector.name}", ${state}) that no provisioning of this tool explains; left untouched`,
  };
}
