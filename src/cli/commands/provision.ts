/**
 * `provision --input run.json [--wait]`: starts a provisioning, attaches to the one already running for the same
 * number, or (idempotently) reports the result of the one that already completed.
 */
import type { Command } from 'commander';
import { attachOrStart } from '../../client/provisioning-client';
import { workflowTaskPollers } from '../../client/task-queue-pollers';
import { parseProvisioningInput } from '../../domain/provisioning-input';
import type { CliContext } from '../context';
import { readJsonFile } from '../input-file';
import { noWorkerMessage } from '../no-worker';
import { shortTime } from '../output';
import { reportOutcome, waitForOutcome } from '../report';

export function registerProvision(program: Command, ctx: CliContext): void {
  program
    .command('provision')
    .description(
      'start a provisioning from a JSON file (attaches to one running for the same number or name; reports the result of a completed one)',
    )
    .requiredOption('-i, --input <file>', 'provisioning input (JSON, see docs/provisioning.md)')
    .option('-w, --wait', 'wait for the result: print it as JSON, or a one-line reason and exit 1')
    .action(async (opts: { input: string; wait?: boolean }) => {
      const raw = await readJsonFile(opts.input, '--input');
      const input = parseProvisioningInput(raw); // once, before connecting to anything
      await ctx.withClient(async (session) => {
        const { client, settings } = session;
        const run = await attachOrStart(client, input, { taskQueue: settings.taskQueue });
        if (run.kind === 'already-provisioned') {
          const r = run.result;
          ctx.out.info(
            `already provisioned: ${run.workflowId} completed ${shortTime(run.completedAt)} (run ${run.runId}): connector ${r.connectorId}, channel ${r.channelId}. ` +
              'Nothing was started: a new attempt is only possible after a failed or cancelled one.',
          );
          return ctx.out.json(r);
        }
        ctx.out.info(
          run.kind === 'attached'
            ? `attached to the provisioning of this number running since ${shortTime(run.startedAt)}: ${run.workflowId} (run ${run.runId})`
            : `started ${run.workflowId} (run ${run.runId})${run.previous ? `, a new attempt after the previous run ${run.previous.toLowerCase()}` : ''}`,
        );
        if (opts.wait) return reportOutcome(ctx, await waitForOutcome(ctx, session, run.workflowId));
        ctx.out.json({ workflowId: run.workflowId, runId: run.runId });
        // Not waiting, so no later warning: say now if nothing polls the queue the run was put on.
        const pollers = await workflowTaskPollers(client, settings.taskQueue).catch(() => undefined);
        if (pollers && pollers.live === 0) ctx.out.info(noWorkerMessage(pollers, settings.namespace));
      });
    });
}
