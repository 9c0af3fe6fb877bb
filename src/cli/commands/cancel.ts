/**
 * `cancel <workflowId>`: cancels a running provisioning and, unless --no-wait, waits for its compensation and says
 * what it undid. A run that already finished is not cancelled: the command says how it ended and exits 2.
 */
import type { Command } from 'commander';
import { cancelProvisioning, type FinishedProvisioning } from '../../client/provisioning-client';
import type { CliContext } from '../context';
import { CliError, usageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { shortTime } from '../output';
import { notFound, oneLine, waitForOutcome } from '../report';

export function registerCancel(program: Command, ctx: CliContext): void {
  program
    .command('cancel <workflowId>')
    .description('cancel a running provisioning and wait for its compensation (its connector is deleted)')
    .option('--no-wait', 'only request the cancellation, do not wait for the compensation')
    .action(async (workflowId: string, opts: { wait: boolean }) =>
      ctx.withClient(async (session) => {
        const { client, settings } = session;
        const cancel = await cancelProvisioning(client, workflowId).catch(notFound(settings.namespace, workflowId));
        if (!cancel.requested)
          throw usageError(
            `nothing to cancel: ${workflowId} already finished ${shortTime(cancel.finished.closedAt)}: ${how(cancel.finished)}`,
          );
        ctx.out.info(
          `cancellation requested for ${workflowId} (run ${cancel.runId})${opts.wait ? '; waiting for its compensation' : ''}`,
        );
        if (!opts.wait) return ctx.out.json({ workflowId, runId: cancel.runId, cancelRequested: true });
        const outcome = await waitForOutcome(ctx, session, workflowId);
        if (outcome.status === 'COMPLETED')
          throw usageError(`${workflowId} completed before the cancellation took effect: ${how(outcome)}`);
        if (outcome.status !== 'CANCELLED')
          throw new CliError(
            `${workflowId} ended before the cancellation took effect: ${oneLine(outcome)}`,
            ExitCode.provisioningFailed,
          );
        ctx.out.json({ workflowId, runId: outcome.runId, status: outcome.status, compensation: outcome.details });
        if (outcome.details.compensationFailures.length || outcome.details.leftBehind.length)
          throw new CliError(oneLine(outcome), ExitCode.provisioningFailed);
        ctx.out.info(oneLine(outcome));
      }),
    );
}

function how(outcome: FinishedProvisioning): string {
  if (outcome.status === 'COMPLETED') {
    return `it completed: connector ${outcome.result.connectorId} and channel ${outcome.result.channelId} are active (a completed provisioning is not undone by cancel)`;
  }
  return oneLine(outcome);
}
