/**
 * `apply --file inventory.csv --defaults defaults.json --inventory NAME [--prune] [--yes] [--plan plan.json] [--json]`:
 * carries out the plan as one durable run (applyInventory). Prunes only with --prune, confirmed on a terminal (the
 * plan is shown, and the very plan confirmed is the one the run must still find) unless --yes; without a terminal
 * and without --yes, a prune is refused. With --plan (saved by `plan --json`) the run refuses if the plan changed.
 */
import { ScheduleNotFoundError, WorkflowFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { InventoryFileError } from '../../bulk/inventory-file';
import { bulkStoreFromEnv } from '../../bulk/store-env';
import { ApplyAlreadyRunning, applyFromFile } from '../../client/apply-client';
import { ensureApplySchedule, removeApplySchedule } from '../../client/apply-schedule';
import { planFromFile } from '../../client/plan-client';
import { expectedOfSavedPlan, formatApply, type ExpectedEntry } from '../../domain/apply';
import { InvalidBulkDefaults } from '../../domain/bulk-input';
import { confirm } from '../bulk-follow';
import type { CliContext } from '../context';
import { CliError, usageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { readJsonFile } from '../input-file';
import { reasonOnRow } from '../../domain/bulk-report';
import { REFRESH_HELP } from './plan';

interface ApplyOptions {
  file?: string;
  defaults?: string;
  inventory: string;
  workspaceId?: string;
  prune?: boolean;
  yes?: boolean;
  plan?: string;
  json?: boolean;
  every?: string;
  unschedule?: boolean;
  refresh: boolean;
}

export function registerApply(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description(
      'make the workspace match the inventory: create the missing channels, repair the broken ones, and with --prune offboard those this inventory made that are no longer in it',
    )
    .option('-f, --file <file>', 'the inventory: CSV or JSON Lines, as for bulk (required but with --unschedule)')
    .option(
      '-d, --defaults <file>',
      'JSON defaults every row starts from, as for bulk (required but with --unschedule)',
    )
    .requiredOption('--inventory <name>', "this inventory's identity, recorded in the names of the connectors it makes")
    .option('--workspace-id <id>', 'Bird workspace (overrides the defaults)')
    .option('--prune', "offboard this inventory's connectors whose numbers are no longer in the file")
    .option('--yes', 'prune without asking (required when there is no terminal)')
    .option('--plan <file>', 'a plan saved by `plan --json`: refuse if the workspace no longer gives that plan')
    .option('--json', 'print the report as JSON')
    .option('--every <duration>', 'instead of applying now, apply on a Temporal Schedule this often (e.g. 1h)')
    .option('--unschedule', "remove the inventory's schedule")
    .option('--no-refresh', REFRESH_HELP)
    .action(async (opts: ApplyOptions) =>
      ctx.withClient(async ({ client, settings }) => {
        if (opts.unschedule) return unschedule(ctx, client, opts);
        if (!opts.file || !opts.defaults) throw usageError('--file and --defaults are required');
        const file = opts.file;
        const defaults = await readJsonFile(opts.defaults, '--defaults');
        const overrides = { workspaceId: opts.workspaceId };
        const refresh = opts.refresh;
        if (opts.every) {
          if (opts.prune && !opts.yes) throw usageError('a scheduled prune runs with no one to confirm it: give --yes');
          const store = bulkStoreFromEnv();
          const args = {
            file,
            defaults,
            inventory: opts.inventory,
            overrides,
            prune: opts.prune,
            every: opts.every,
            refresh,
          };
          const { scheduleId, created } = await ensureApplySchedule(client, store, args, {
            taskQueue: settings.taskQueue,
          }).catch(fileErrors(opts));
          return ctx.out.text(
            `${created ? 'created' : 'updated'} schedule ${scheduleId}: apply every ${opts.every}${opts.prune ? ', with prune' : ', prune off'}`,
          );
        }
        let expected = opts.plan ? savedPlan(await readJsonFile(opts.plan, '--plan'), opts.plan) : undefined;
        if (opts.prune && !opts.yes) {
          if (!process.stdin.isTTY)
            throw usageError('--prune deletes connectors: give --yes to prune without a terminal to confirm on');
          const { plan } = await planFromFile(
            client,
            { file, defaults, inventory: opts.inventory, overrides, refresh },
            { taskQueue: settings.taskQueue },
          ).catch(fileErrors(opts));
          const prunes = plan.entries.filter((e) => e.action === 'prune');
          for (const e of prunes) ctx.out.info(`prune ${e.phoneNumberId ?? '(no number)'} connector ${e.connectorId}`);
          if (prunes.length && !(await confirm(`Offboard these ${prunes.length} connector(s)? [y/N] `)))
            throw new CliError('apply not confirmed: nothing was done', ExitCode.provisioningFailed);
          // What runs is what was confirmed: the run refuses if the workspace changed meanwhile.
          expected ??= expectedOfSavedPlan(plan);
        }
        const store = bulkStoreFromEnv();
        const { result, invalid } = await applyFromFile(
          client,
          store,
          { file, defaults, inventory: opts.inventory, overrides, prune: opts.prune, expected, refresh },
          { taskQueue: settings.taskQueue },
        ).catch(fileErrors(opts));
        if (opts.json) ctx.out.json({ ...result, invalid });
        else ctx.out.text(formatApply(result));
        for (const r of invalid)
          ctx.out.info(`${file}:${r.line}: not applied: ${r.problems.map(reasonOnRow).join('; ')}`);
        if (result.rows.some((r) => r.outcome === 'failed' || r.outcome === 'cancelled' || r.outcome === 'not-started'))
          throw new CliError('some rows were not carried out (see the report)', ExitCode.provisioningFailed);
      }),
    );
}

async function unschedule(ctx: CliContext, client: Client, opts: ApplyOptions): Promise<void> {
  const fromDefaults = opts.defaults
    ? ((await readJsonFile(opts.defaults, '--defaults')) as { workspaceId?: unknown })
    : undefined;
  const workspaceId = opts.workspaceId ?? fromDefaults?.workspaceId;
  if (typeof workspaceId !== 'string') throw usageError('--unschedule needs --workspace-id (or --defaults naming one)');
  const scheduleId = await removeApplySchedule(client, workspaceId, opts.inventory).catch((err: unknown) => {
    if (err instanceof ScheduleNotFoundError) throw usageError(`no schedule for inventory ${opts.inventory}`);
    throw err;
  });
  ctx.out.text(`removed schedule ${scheduleId}`);
}

function savedPlan(json: unknown, path: string): ExpectedEntry[] {
  try {
    return expectedOfSavedPlan(json);
  } catch (err) {
    throw usageError(`--plan ${path}: ${(err as Error).message}`);
  }
}

function fileErrors(opts: ApplyOptions) {
  return (err: unknown): never => {
    if (err instanceof InvalidBulkDefaults) throw usageError(`--defaults ${opts.defaults}: ${err.message}`);
    if (err instanceof InventoryFileError) throw usageError(`--file ${opts.file}: ${err.message}`);
    if (err instanceof ApplyAlreadyRunning) throw new CliError(err.message, ExitCode.provisioningFailed);
    if (err instanceof WorkflowFailedError && err.cause?.message)
      throw new CliError(`apply refused or failed: ${err.cause.message}`, ExitCode.provisioningFailed);
    throw err;
  };
}
