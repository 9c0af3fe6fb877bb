/**
 * What the histories of a bulk run and its children say about the builds that ran them: per run of the bulk run's
 * continue-as-new chain, the builds that completed its workflow tasks, whether the server told it of a new current
 * version (WorkflowTaskStarted.targetWorkerDeploymentVersionChanged), how it continued as new, and which children
 * it started; per child, its builds, its versioning behavior and its outcome in the bulk report.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal as protoTypes } from '@temporalio/proto';
import { temporal as proto } from '@temporalio/proto';
import type { BulkStore } from '../../src/bulk/store';
import { bulkReport, type BulkEnd } from '../../src/client/bulk-client';
import { BULK_UPGRADE_PATCH } from '../../src/workflows/bulk-upgrade';
import { type ProvisioningFinished } from '../../src/domain/provisioning';
import { provisioningFinishedSignal } from '../../src/domain/messages/provisioning';

const EventType = proto.api.enums.v1.EventType;
type History = protoTypes.api.history.v1.IHistory;

export interface BulkRunReport {
  runId: string;
  /** Build ids of the workers that completed its workflow tasks, in order, repeats merged. */
  builds: string[];
  behavior: string;
  /**
   * How its first workflow task found a build, from its WorkflowExecutionStarted event: `first run`; `pinned to X`
   * (inherited from the run before, which continued as new without upgrading); or, when the run before continued
   * as new with initialVersioningBehavior AUTO_UPGRADE, `not pinned` (Server 1.30.9: the new run inherits no
   * version, so the current version's worker takes its first task) or `auto-upgrade from X` (a server that records
   * the source version in InheritedAutoUpgradeInfo).
   */
  startedAs: string;
  /** Its history holds the marker of patched('bulk-upgrade-on-continue-as-new'): it continued as new to upgrade. */
  upgradeMarked: boolean;
  /** A workflow task of this run carried targetWorkerDeploymentVersionChanged. */
  toldOfNewVersion: boolean;
  /** It ended by continuing as new. */
  continuedAsNew: boolean;
  childrenStarted: number;
  childIds: string[];
  /** The children whose provisioningFinished report this run received. */
  reportsFrom: string[];
  /** The history, for replaying it. */
  history: History;
}

export interface ChildReport {
  workflowId: string;
  /** 1-based index of the bulk run's run that started it. */
  startedByRun: number;
  builds: string[];
  behavior: string;
  outcome: string;
  history: History;
}

export function buildsOf(history: History): string[] {
  const builds: string[] = [];
  for (const e of history.events ?? []) {
    if (e.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) continue;
    const attrs = e.workflowTaskCompletedEventAttributes;
    const build = attrs?.deploymentVersion?.buildId ?? attrs?.workerVersion?.buildId ?? '(unversioned)';
    if (builds[builds.length - 1] !== build) builds.push(build);
  }
  return builds;
}

async function behaviorOf(client: Client, workflowId: string, runId?: string): Promise<string> {
  const description = await client.workflow.getHandle(workflowId, runId).describe();
  const code = description.raw.workflowExecutionInfo?.versioningInfo?.behavior ?? 0;
  return (proto.api.enums.v1.VersioningBehavior[code] ?? String(code)).replace('VERSIONING_BEHAVIOR_', '');
}

function startedAs(
  attrs: protoTypes.api.history.v1.IWorkflowExecutionStartedEventAttributes | null | undefined,
): string {
  if (attrs?.inheritedPinnedVersion) return `pinned to ${attrs.inheritedPinnedVersion.buildId}`;
  // Set for a continue-as-new with initialVersioningBehavior AUTO_UPGRADE (UNSPECIFIED in it means the same).
  if (attrs?.inheritedAutoUpgradeInfo)
    return `auto-upgrade from ${attrs.inheritedAutoUpgradeInfo.sourceDeploymentVersion?.buildId ?? '?'}`;
  return attrs?.continuedExecutionRunId ? 'not pinned' : 'first run';
}

function reportsIn(events: protoTypes.api.history.v1.IHistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName !== provisioningFinishedSignal.name) return [];
    return (signal.input?.payloads ?? []).map(
      (p) => defaultPayloadConverter.fromPayload<ProvisioningFinished>(p).workflowId,
    );
  });
}

function hasPatchMarker(events: protoTypes.api.history.v1.IHistoryEvent[], patchId: string): boolean {
  return events.some((e) =>
    Object.values(e.markerRecordedEventAttributes?.details ?? {}).some((p) =>
      p.payloads?.some((payload) =>
        Buffer.from(payload.data ?? [])
          .toString('utf8')
          .includes(patchId),
      ),
    ),
  );
}

/** The runs of a workflow's continue-as-new chain from its first run, following each run's last event. */
export async function describeChain(client: Client, workflowId: string, firstRunId: string): Promise<BulkRunReport[]> {
  const runs: BulkRunReport[] = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const last = events[events.length - 1];
    const can = last?.workflowExecutionContinuedAsNewEventAttributes;
    const childIds = events.flatMap((e) =>
      e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId
        ? [e.childWorkflowExecutionStartedEventAttributes.workflowExecution.workflowId]
        : [],
    );
    runs.push({
      runId,
      builds: buildsOf(history),
      behavior: await behaviorOf(client, workflowId, runId),
      toldOfNewVersion: events.some(
        (e) => e.workflowTaskStartedEventAttributes?.targetWorkerDeploymentVersionChanged === true,
      ),
      startedAs: startedAs(events[0]?.workflowExecutionStartedEventAttributes),
      upgradeMarked: hasPatchMarker(events, BULK_UPGRADE_PATCH),
      continuedAsNew: can !== undefined && can !== null,
      childrenStarted: childIds.length,
      reportsFrom: reportsIn(events),
      childIds,
      history,
    });
    runId = can?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** Every row's child: which run started it, the builds that ran it, and its outcome in the bulk report. */
export async function describeChildren(
  client: Client,
  runs: BulkRunReport[],
  store: BulkStore,
  end: BulkEnd,
): Promise<ChildReport[]> {
  if (end.status === 'failed') return [];
  const report = await bulkReport(store, end.progress);
  const children: ChildReport[] = [];
  for (const row of report) {
    if (!row.workflowId) continue;
    const history = await client.workflow.getHandle(row.workflowId).fetchHistory();
    children.push({
      workflowId: row.workflowId,
      startedByRun: runs.findIndex((r) => r.childIds.includes(row.workflowId)) + 1,
      builds: buildsOf(history),
      behavior: await behaviorOf(client, row.workflowId),
      outcome: row.outcome,
      history,
    });
  }
  return children;
}
