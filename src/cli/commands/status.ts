/**
 * `status <workflowId>`: where a provisioning stands, as JSON on stdout and one line for people on stderr: the CLI's
 * mapping of the client's one reading (readProvisioning). While it runs, from its worker (the `progress` query); when
 * no worker answers, from its search attributes, with a warning and exit 3. Once it has finished, how it ended: the
 * result, the failure, or what a cancellation undid.
 */
import type { Command } from 'commander';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { FinishedProvisioning } from '../../client/provisioning-client';
import { readProvisioning, type ProvisioningReading } from '../../client/read-provisioning';
import { workflowTaskPollers, type TaskQueuePollers } from '../../client/task-queue-pollers';
import * as sa from '../../domain/search-attributes';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import { noWorkerMessage } from '../no-worker';
import { notFound, oneLine } from '../report';

const QUERY_TIMEOUT_MS = 5_000;

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status <workflowId>')
    .description('print where a provisioning stands (JSON): its progress, or how it ended and what was undone')
    .action(async (workflowId: string) =>
      ctx.withClient(async ({ client, settings }) => {
        const reading = await readProvisioning(client, workflowId, { queryTimeoutMs: QUERY_TIMEOUT_MS }).catch(
          notFound(settings.namespace, workflowId),
        );
        // Which warning to give when the progress is missing: no worker polls at all, or none answered in time.
        const pollers =
          reading.kind === 'running' && !reading.progress
            ? await workflowTaskPollers(client, reading.description.taskQueue)
            : undefined;
        const shown = statusOf(workflowId, reading, pollers, settings.namespace);
        ctx.out.json(shown.json);
        if ('warning' in shown) throw new CliError(shown.warning, ExitCode.unavailable);
        ctx.out.info(shown.line);
      }),
    );
}

type Shown = { json: object; line: string } | { json: object; warning: string };

/** The one mapping of a reading to what `status` prints: the JSON, and the line for people or the warning (exit 3). */
function statusOf(
  workflowId: string,
  reading: ProvisioningReading,
  pollers: TaskQueuePollers | undefined,
  namespace: string,
): Shown {
  const d = reading.description;
  const base = {
    workflowId,
    runId: d.runId,
    status: d.status.name,
    taskQueue: d.taskQueue,
    startedAt: d.startTime.toISOString(),
    closedAt: d.closeTime?.toISOString(),
    ...fromSearchAttributes(d),
  };
  if (reading.kind === 'finished') {
    const outcome = reading.finished;
    return {
      json: { ...base, ...finishedFields(outcome) },
      line: `${workflowId}: ${outcome.status === 'COMPLETED' ? `completed: connector ${outcome.result.connectorId}, channel ${outcome.result.channelId} active` : oneLine(outcome)}`,
    };
  }
  const progress = reading.progress;
  if (progress)
    return {
      json: { ...base, source: 'worker', ...progress },
      line: `${workflowId}: running, stage ${progress.stage}${progress.connectorId ? `, connector ${progress.connectorId}` : ''}, ${progress.statusPolls} status poll(s)`,
    };
  const why =
    pollers && !pollers.live
      ? noWorkerMessage(pollers, namespace)
      : `warning: no worker answered the progress query within ${QUERY_TIMEOUT_MS / 1000} s on task queue "${d.taskQueue}" (${reading.progressProblem})`;
  return {
    json: { ...base, source: 'search attributes' },
    warning: `${why}\n  The status above comes from the search attributes only.`,
  };
}

function fromSearchAttributes(d: WorkflowExecutionDescription) {
  const get = (key: (typeof sa.PROVISIONING_SEARCH_ATTRIBUTES)[number]) => d.typedSearchAttributes.get(key);
  return {
    stage: get(sa.ProvisioningStage),
    outcome: get(sa.ProvisioningOutcome),
    phoneNumberId: get(sa.BirdPhoneNumberId),
    connectorId: get(sa.BirdConnectorId),
    channelId: get(sa.BirdChannelId),
  };
}

function finishedFields(outcome: FinishedProvisioning) {
  switch (outcome.status) {
    case 'COMPLETED':
      return { source: 'history', result: outcome.result };
    case 'CANCELLED':
      return { source: outcome.detailsFrom, reason: outcome.reason, compensation: outcome.details };
    case 'FAILED':
      return { source: 'history', reason: outcome.reason, compensation: outcome.details };
    default:
      return { source: 'history', reason: outcome.reason };
  }
}
