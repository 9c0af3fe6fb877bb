/**
 * `bulk-cancel <workflowId>`: cancels a bulk run. Its running provisionings are cancelled and compensate; rows not
 * started stay untouched (`not-started` in the report). Waits for that unless --no-wait.
 */
import type { Command } from 'commander';
import { cancelBulk } from '../../client/bulk-client';
import { bulkStoreFromEnv } from '../../bulk/store-env';
import { bulkProgressOf, followBulk } from '../bulk-follow';
import type { CliContext } from '../context';
import { CliError, usageError } from '../errors';
import { ExitCode } from '../exit-codes';

export function registerBulkCancel(program: Command, ctx: CliContext): void {
  program
    .command('bulk-cancel <workflowId>')
    .description(
      'cancel a bulk run: its running provisionings are cancelled and compensated, rows not started stay untouched',
    )
    .option('--no-wait', 'only request the cancellation')
    .option('-r, --report <file>', 'write the report once the cancellation is done (.csv or .json)')
    .action(async (workflowId: string, opts: { wait: boolean; report?: string }) =>
      ctx.withClient(async ({ client }) => {
        const { status, progress } = await bulkProgressOf(client, workflowId);
        if (status !== 'RUNNING')
          throw usageError(
            `nothing to cancel: bulk run ${workflowId} already ended (${status.toLowerCase()}, ${progress.stage})`,
          );
        await cancelBulk(client, workflowId);
        ctx.out.info(`cancellation requested for bulk run ${workflowId}`);
        if (!opts.wait) return;
        await followBulk(ctx, client, bulkStoreFromEnv(), workflowId, {
          cancelOnInterrupt: false,
          report: opts.report,
          requireAllActive: false,
        });
        const after = await bulkProgressOf(client, workflowId);
        if (after.status !== 'CANCELLED')
          throw new CliError(
            `bulk run ${workflowId} ended ${after.status.toLowerCase()} before the cancellation took effect`,
            ExitCode.provisioningFailed,
          );
      }),
    );
}
