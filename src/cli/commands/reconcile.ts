/**
 * `reconcile --workspace <id> [--delete] [--json]`: the orphan audit, once; `reconcile-schedule --workspace <id>
 * --every 1h [--delete]`: the same on a Temporal Schedule. Exit code 1 while orphans remain (found and not deleted,
 * or a delete failed), so a cron job or a CI check can alert on it.
 */
import { Option, type Command } from 'commander';
import { ensureReconcileSchedule, reconcile } from '../../client/reconcile-client';
import { formatDuration } from '../../domain/duration';
import type { ReconcileReport } from '../../domain/reconcile';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';

interface AuditOptions {
  workspace: string;
  delete?: boolean;
  grace: string;
  json?: boolean;
}

export function registerReconcile(program: Command, ctx: CliContext): void {
  const workspace = () =>
    new Option('--workspace <id>', 'Bird workspace id').env('BIRD_WORKSPACE_ID').makeOptionMandatory();
  const grace = () =>
    new Option(
      '--grace <duration>',
      'leave alone connectors younger than this that no run records yet (their run may not be visible yet)',
    ).default('10m');

  program
    .command('reconcile')
    .description(
      "audit the workspace's connectors: list those this tool created whose provisioning failed, was terminated or no longer exists; delete them with --delete",
    )
    .addOption(workspace())
    .option('--delete', 'delete the orphans found (otherwise only report them)')
    .addOption(grace())
    .option('--json', 'print the report as JSON')
    .action(async (opts: AuditOptions) =>
      ctx.withClient(async ({ client, settings }) => {
        const report = await reconcile(
          client,
          { workspaceId: opts.workspace, delete: Boolean(opts.delete), gracePeriod: opts.grace },
          { taskQueue: settings.taskQueue },
        );
        if (opts.json) ctx.out.json(report);
        else ctx.out.text(formatReport(report));
        const remaining = report.orphanCount - report.deleted;
        if (remaining > 0)
          throw new CliError(
            `${remaining} orphan connector(s) remain${opts.delete ? '' : ' (delete them with --delete)'}`,
            ExitCode.provisioningFailed,
          );
      }),
    );

  program
    .command('reconcile-schedule')
    .description(
      'run the orphan audit on a Temporal Schedule (created, or updated if it exists); overlapping runs are skipped',
    )
    .addOption(workspace())
    .requiredOption('--every <duration>', 'how often, e.g. 1h or 30m (at least 1m)')
    .option('--delete', 'delete the orphans each run finds')
    .addOption(grace())
    .action(async (opts: Omit<AuditOptions, 'json'> & { every: string }) =>
      ctx.withClient(async ({ client, settings }) => {
        const { scheduleId, created } = await ensureReconcileSchedule(
          client,
          { workspaceId: opts.workspace, delete: Boolean(opts.delete), gracePeriod: opts.grace, every: opts.every },
          { taskQueue: settings.taskQueue },
        );
        ctx.out.info(
          `${created ? 'created' : 'updated'} schedule ${scheduleId}: every ${opts.every}${opts.delete ? ', deleting orphans' : ', report only'}`,
        );
      }),
    );
}

export function formatReport(r: ReconcileReport): string {
  const lines = [
    `workspace ${r.workspaceId}: ${r.scanned} connectors in ${r.pages} page(s); ${r.untagged} not created by this tool, ${r.owned} owned by a provisioning, ${r.young} younger than ${formatDuration(r.gracePeriodMs)} without a visible run${r.foreign ? `, ${r.foreign} with a copied tag (not ours)` : ''}`,
  ];
  for (const u of r.unverifiable) lines.push(`  unverifiable ${u.connectorId} "${u.name}": ${u.detail}`);
  if (!r.orphanCount) {
    lines.push('no orphan connectors');
  } else {
    lines.push(
      `${r.orphanCount} orphan connector(s)${r.deleteRequested ? `: ${r.deleted} deleted, ${r.deleteFailed} failed` : ' (not deleted: add --delete)'}`,
    );
    for (const o of r.orphans) {
      lines.push(
        `  ${o.connectorId} "${o.name}"${o.numberId ? ` number ${o.numberId}` : ''} created ${o.createdAt}: ${o.detail}${o.deletion ? ` → ${o.deletion}` : ''}`,
      );
    }
    if (r.orphans.length < r.orphanCount) lines.push(`  … and ${r.orphanCount - r.orphans.length} more (use --json)`);
  }
  return lines.join('\n');
}
