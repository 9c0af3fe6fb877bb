/**
 * What the histories of a bulk run and its children say about the builds that ran them: per run of the bulk run's
 * continue-as-new chain, the builds that completed its workflow tasks, whether the server told it of a new current
 * version (WorkflowTaskStarted.targetWorkerDeploymentVersionChanged), how it continued as new, and which children
 * it started; per child, its builds, its versioning behavior and its outcome in the bulk report.
 */
import type { Client } from '@temporalio/client';
import type { temporal as protoTypes } from '@temporalio/proto';
import { temporal as proto } from '@temporalio/proto';
import type { BulkStore } from '../../src/bulk/store';
import { bulkReport, type BulkEnd } from '../../src/client/bulk-client';

const EventType = proto.api.enums.v1.EventType;
type History = protoTypes.api.history.v1.IHistory;

export interface BulkRunReport {
  runId: string;
  /** Build ids of the workers that completed its workflow tasks, in order, repeats merged. */
  builds: string[];
  behavior: string;
  /** A workflow task of this run carried targetWorkerDeploymentVersionChanged. */
  toldOfNewVersion: boolean;
  /** How it continued as new (its initial versioning behavior for the next run), or undefined if it did not. */
  continuedAsNew?: string;
  childrenStarted: number;
  childIds: string[];
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

/** The runs of a workflow's continue-as-new chain from its first run, following each run's last event. */
export async function describeChain(client: Client, workflowId: string, firstRunId: string): Promise<BulkRunReport[]> {
  const runs: BulkRunReport[] = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const last = events[events.length - 1];
    const can = last?.workflowExecutionContinuedAsNewEventAttributes;
    const childIds = events.flatMap((e) => (e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId ? [e.childWorkflowExecutionStartedEventAttributes.workflowExecution.workflowId] : []));
    runs.push({
      runId,
      builds: buildsOf(history),
      behavior: await behaviorOf(client, workflowId, runId),
      toldOfNewVersion: events.some((e) => e.workflowTaskStartedEventAttributes?.targetWorkerDeploymentVersionChanged === true),
      continuedAsNew: can
        ? (proto.api.enums.v1.ContinueAsNewVersioningBehavior[can.initialVersioningBehavior ?? 0] ?? '?').replace('CONTINUE_AS_NEW_VERSIONING_BEHAVIOR_', '')
        : undefined,
      childrenStarted: childIds.length,
      childIds,
      history,
    });
    runId = can?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** Every row's child: which run started it, the builds that ran it, and its outcome in the bulk report. */
export async function describeChildren(client: Client, runs: BulkRunReport[], store: BulkStore, end: BulkEnd): Promise<ChildReport[]> {
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
