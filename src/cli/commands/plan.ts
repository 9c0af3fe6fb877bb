/**
 * `plan --file inventory.csv --defaults defaults.json --inventory NAME [--json]`: what it takes for the workspace to
 * match the inventory, per number (create, keep, repair, adopt, foreign, prune, other). Reads only: nothing is
 * written to Bird, the bulk store or anywhere else.
 */
import type { Command } from 'commander';
import { reasonOnRow } from '../../domain/bulk-report';
import { InventoryFileError } from '../../bulk/inventory-file';
import { planFromFile } from '../../client/plan-client';
import { InvalidBulkDefaults } from '../../domain/bulk-input';
import { formatPlan } from '../../domain/plan';
import type { CliContext } from '../context';
import { usageError } from '../errors';
import { readJsonFile } from '../input-file';

interface PlanOptions {
  file: string;
  defaults: string;
  inventory: string;
  workspaceId?: string;
  json?: boolean;
  refresh: boolean;
}

/** Terraform's `-refresh=false`, for plan and apply. */
export const REFRESH_HELP =
  "read no connector's status, only the list pages and our records (one GET per 100 connectors instead of one per connector); a connector of ours in error or inactive is then planned keep";

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description(
      "compare an inventory with the workspace and print each number's action (create, keep, repair, adopt, foreign, prune, other); writes nothing",
    )
    .requiredOption('-f, --file <file>', 'the inventory: CSV or JSON Lines, as for bulk')
    .requiredOption('-d, --defaults <file>', 'JSON defaults every row starts from, as for bulk')
    .requiredOption('--inventory <name>', "this inventory's identity, recorded in the names of the connectors it makes")
    .option('--workspace-id <id>', 'Bird workspace (overrides the defaults)')
    .option('--json', 'print the plan as JSON')
    .option('--no-refresh', REFRESH_HELP)
    .action(async (opts: PlanOptions) =>
      ctx.withClient(async ({ client, settings }) => {
        const defaults = await readJsonFile(opts.defaults, '--defaults');
        const { plan, invalid } = await planFromFile(
          client,
          {
            file: opts.file,
            defaults,
            inventory: opts.inventory,
            overrides: { workspaceId: opts.workspaceId },
            refresh: opts.refresh,
          },
          { taskQueue: settings.taskQueue },
        ).catch((err: unknown) => {
          if (err instanceof InvalidBulkDefaults) throw usageError(`--defaults ${opts.defaults}: ${err.message}`);
          if (err instanceof InventoryFileError) throw usageError(`--file ${opts.file}: ${err.message}`);
          throw err;
        });
        if (opts.json) return ctx.out.json({ ...plan, invalid });
        ctx.out.text(formatPlan(plan));
        for (const r of invalid)
          ctx.out.info(`${opts.file}:${r.line}: not planned: ${r.problems.map(reasonOnRow).join('; ')}`);
      }),
    );
}
