/**
 * What a provisioning reports when it ends: the result of an active run, and what a failed or cancelled run left
 * in Bird after its compensation.
 */
import type { ComponentStage, ComponentStatus } from '../../bird/schemas';
import type { CompensationReport } from '../compensation';
import type { ProvisionChannelResult, ProvisioningProgress } from '../../domain/provisioning';
import type { ReadyChannel } from '../readiness';

/** The undo step that deletes the connector; its failure leaves the connector behind. */
export const DELETE_CONNECTOR = 'delete connector';

/** Workflow times (ms since the epoch) of the run's milestones. */
export interface Milestones {
  startedAt: number;
  connectorCreatedAt: number;
  readyAt: number;
  completedAt: number;
}

export function activeResult(
  workflowId: string,
  progress: ProvisioningProgress,
  ready: { connectorId: string; channelId: string; readiness: ReadyChannel },
  at: Milestones,
): ProvisionChannelResult {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    workflowId,
    connectorId: ready.connectorId,
    channelId: ready.channelId,
    adopted: progress.adopted,
    finalStatus: { status: ready.readiness.status as ComponentStatus, stage: ready.readiness.stage as ComponentStage },
    subscriptionIds: progress.subscriptionIds,
    statusPolls: progress.statusPolls,
    readinessSource: ready.readiness.source,
    timings: {
      startedAt: iso(at.startedAt),
      connectorCreatedAt: iso(at.connectorCreatedAt),
      readyAt: iso(at.readyAt),
      completedAt: iso(at.completedAt),
      readinessWaitMs: at.readyAt - at.connectorCreatedAt,
      totalMs: at.completedAt - at.startedAt,
    },
  };
}

/** What compensation could not undo: a connector whose deletion failed, and every webhook subscription. */
export function leftBehind(report: CompensationReport, progress: ProvisioningProgress, ownershipTag: string): string[] {
  const connector = progress.connectorId ?? `tagged ${ownershipTag}`;
  const connectors = report.failedSteps.includes(DELETE_CONNECTOR)
    ? [`connector ${connector} (its deletion failed; delete it by hand)`]
    : [];
  // The contract offers no way to delete a webhook subscription; its channelId filter now names a deleted channel.
  const subscriptions = progress.subscriptionIds.map(
    (id) => `webhook subscription ${id} (Bird's API has no delete; it filters on the deleted channel)`,
  );
  return [...connectors, ...subscriptions];
}
