/**
 * Billable Temporal Cloud actions of one workflow run, counted from its event history. Pure: the bench sums it over
 * a bulk run and its children, tests bound it on recorded histories.
 *
 * The rules are Temporal Cloud's published definition of an action (https://docs.temporal.io/cloud/actions):
 * - a workflow started (client start, child start, continue-as-new: the new run's WorkflowExecutionStarted) is one;
 *   a child start is two in all, the parent's StartChildWorkflowExecutionInitiated (the intent) and the child's start;
 * - every UpsertWorkflowSearchAttributes command is one, however many attributes it sets; attributes given at start
 *   are free, and so is an upsert of TemporalChangeVersion alone;
 * - an activity is one when scheduled and one more for each retry (the ActivityTaskStarted event's attempt - 1);
 * - all markers (local activities, patch markers) recorded by one workflow task are one together, and local
 *   activity retries are the task's `meteringMetadata.nonfirstLocalActivityExecutionAttempts`;
 * - every timer started is one (a `condition` with a timeout is a timer);
 * - every signal is one, counted in the history of the workflow that received it (WorkflowExecutionSignaled), not
 *   in the sender's; every accepted update is one.
 *
 * What a history cannot show is left out: queries, rejected updates (never written), activity heartbeats that
 * reached the server (the Bird activities send their first one after a second, so a call that answers within it
 * sends none: src/activities/heartbeat.ts), and the retries of an activity cancelled or timed out between attempts
 * (its ActivityTaskStarted event is never written). The count is therefore a lower bound.
 */
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const E = temporal.api.enums.v1.EventType;

export interface ActionCount {
  total: number;
  byKind: Record<string, number>;
}

/** TemporalChangeVersion (the patch search attribute) is exempt from action counting. */
const CHANGE_VERSION = 'TemporalChangeVersion';

export function billableActions(history: History): ActionCount {
  const byKind: Record<string, number> = {};
  const add = (kind: string, n = 1) => {
    if (n > 0) byKind[kind] = (byKind[kind] ?? 0) + n;
  };
  const tasksWithMarkers = new Set<string>();
  for (const e of history.events ?? []) {
    switch (e.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        add('workflowStarted');
        break;
      case E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        add('childStartIntent');
        break;
      case E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = Object.keys(
          e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
        );
        if (fields.some((f) => f !== CHANGE_VERSION)) add('searchAttributeUpsert');
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
        add('optionsUpdated');
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        add('activityScheduled');
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        add('activityRetry', Math.max(0, (e.activityTaskStartedEventAttributes?.attempt ?? 1) - 1));
        break;
      case E.EVENT_TYPE_MARKER_RECORDED:
        tasksWithMarkers.add(String(e.markerRecordedEventAttributes?.workflowTaskCompletedEventId ?? e.eventId));
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        add(
          'localActivityRetry',
          e.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts ?? 0,
        );
        break;
      case E.EVENT_TYPE_TIMER_STARTED:
        add('timerStarted');
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        add('signalReceived');
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        add('updateAccepted');
        break;
      default:
        break;
    }
  }
  add('markers', tasksWithMarkers.size);
  return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
}

/** Sums counts (a bulk run's runs and its children). */
export function sumActions(counts: ActionCount[]): ActionCount {
  const byKind: Record<string, number> = {};
  for (const c of counts) for (const [k, v] of Object.entries(c.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
  return { total: counts.reduce((a, c) => a + c.total, 0), byKind };
}

/**
 * Tasks a Bird reads queue handed out to a run: the attempts of the activities scheduled on it (an activity's
 * started event carries its last attempt). That queue is served at Bird's GET limit, so each spends its budget.
 * One cancelled between attempts has no started event, so the count is a lower bound in the modes that cancel polls.
 */
export function readsQueueDispatches(history: History): number {
  const onReads = new Set<string>();
  let attempts = 0;
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.taskQueue?.name?.endsWith('-bird-reads')) onReads.add(String(e.eventId));
    const started = e.activityTaskStartedEventAttributes;
    if (started && onReads.has(String(started.scheduledEventId))) attempts += started.attempt ?? 1;
  }
  return attempts;
}
