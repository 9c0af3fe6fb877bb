/**
 * `status <workflowId>`: where a provisioning stands, as JSON on stdout and one line for people on stderr. While it
 * runs, from its worker (the `progress` query); when no worker answers, from its search attributes, with a warning
 * and exit 3. Once it has finished, how it ended: the result, the failure, or what a cancellation undid.
 */
import type { Command } from 'commander';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { describeOutcome, getProgress, type FinishedProvisioning } from '../../client/provisioning-client';
import { workflowTaskPollers } from '../../client/task-queue-pollers';
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
        const d = await client.workflow
          .getHandle(workflowId)
          .describe()
          .catch(notFound(settings.namespace, workflowId));
        const base = {
          workflowId,
          runId: d.runId,
          status: d.status.name,
          taskQueue: d.taskQueue,
          startedAt: d.startTime.toISOString(),
          closedAt: d.closeTime?.toISOString(),
          ...fromSearchAttributes(d),
        };
        if (d.status.name !== 'RUNNING') {
          const outcome = await describeOutcome(client, workflowId, { queryTimeoutMs: QUERY_TIMEOUT_MS });
          if (outcome) {
            ctx.out.json({ ...base, ...finishedFields(outcome) });
            return ctx.out.info(
              `${workflowId}: ${outcome.status === 'COMPLETED' ? `completed: connector ${outcome.result.connectorId}, channel ${outcome.result.channelId} active` : oneLine(outcome)}`,
            );
          }
        }
        const pollers = await workflowTaskPollers(client, d.taskQueue);
        let why = noWorkerMessage(pollers, settings.namespace);
        if (pollers.live) {
          try {
            const progress = await getProgress(client, workflowId, { timeoutMs: QUERY_TIMEOUT_MS, runId: d.runId });
            ctx.out.json({ ...base, source: 'worker', ...progress });
            return ctx.out.info(
              `${workflowId}: running, stage ${progress.stage}${progress.connectorId ? `, connector ${progress.connectorId}` : ''}, ${progress.statusPolls} status poll(s)`,
            );
          } catch (err) {
            why = `warning: no worker answered the progress query within ${QUERY_TIMEOUT_MS / 1000} s on task queue "${d.taskQueue}" (${(err as Error).message})`;
          }
        }
        ctx.out.json({ ...base, source: 'search attributes' });
        throw new CliError(`${why}\n  The status above comes from the search attributes only.`, ExitCode.unavailable);
      }),
    );
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
