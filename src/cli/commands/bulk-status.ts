/**
 * `bulk-status <workflowId>`: a bulk run's progress (the same counts its own CLI shows, so a run started elsewhere
 * can be followed), --wait to follow it to the end (re-attaching after a Ctrl-C), --report to write its report.
 */
import type { Command } from 'commander';
import { bulkStoreFromEnv } from '../../bulk/store-env';
import { progressLine } from '../../bulk/progress-view';
import { bulkProgressOf, finishBulk, followBulk } from '../bulk-follow';
import type { CliContext } from '../context';
import { usageError } from '../errors';

export function registerBulkStatus(program: Command, ctx: CliContext): void {
  program
    .command('bulk-status <workflowId>')
    .description("print a bulk run's progress; --wait follows it to the end")
    .option('-w, --wait', 'follow it with a progress bar until it ends (Ctrl-C only stops following)')
    .option('-r, --report <file>', 'once it has ended, write its report (.csv or .json)')
    .action(async (workflowId: string, opts: { wait?: boolean; report?: string }) =>
      ctx.withClient(async ({ client }) => {
        const store = bulkStoreFromEnv();
        if (opts.wait)
          return followBulk(ctx, client, store, workflowId, {
            cancelOnInterrupt: false,
            report: opts.report,
            requireAllActive: true,
          });
        const { progress, status } = await bulkProgressOf(client, workflowId);
        ctx.out.json({ workflowId, status, ...progress });
        ctx.out.info(progressLine(progress));
        if (status === 'RUNNING') {
          if (opts.report)
            throw usageError(`${workflowId} is still running: its report is written once it ends (add --wait)`);
          return;
        }
        await finishBulk(ctx, store, progress, status, { report: opts.report, requireAllActive: true });
      }),
    );
}
