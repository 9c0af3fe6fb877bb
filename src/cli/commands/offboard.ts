/**
 * `offboard --workspace <id> --number <phoneNumberId> [--json]` (or `--template <ref> --name <name>` for templates
 * keyed by name): delete the channel's connector (ours only), confirm it gone, and print what was done and left.
 */
import { Option, type Command } from 'commander';
import { offboard } from '../../client/offboarding-client';
import { offboardSummary } from '../../domain/offboarding';
import type { CliContext } from '../context';

interface OffboardOptions {
  workspace: string;
  number?: string;
  template?: string;
  name?: string;
  json?: boolean;
}

export function registerOffboard(program: Command, ctx: CliContext): void {
  program
    .command('offboard')
    .description(
      'offboard one channel: cancel its provisioning if running, delete our connector and confirm it gone; connectors without our tag are never touched',
    )
    .addOption(new Option('--workspace <id>', 'Bird workspace id').env('BIRD_WORKSPACE_ID').makeOptionMandatory())
    .option('--number <phoneNumberId>', 'the phone number id of the channel (SMS templates)')
    .option('--template <ref>', 'for templates keyed by name: the connector template ref')
    .option('--name <name>', 'for templates keyed by name: the connector name it was provisioned with')
    .option('--json', 'print the report as JSON')
    .action(async (opts: OffboardOptions) =>
      ctx.withClient(async ({ client, settings }) => {
        const report = await offboard(
          client,
          {
            workspaceId: opts.workspace,
            ...(opts.number !== undefined ? { phoneNumberId: opts.number } : {}),
            ...(opts.template !== undefined || opts.name !== undefined
              ? { connector: { connectorTemplateRef: opts.template ?? '', name: opts.name ?? '' } }
              : {}),
          },
          { taskQueue: settings.taskQueue },
        );
        if (opts.json) ctx.out.json(report);
        else ctx.out.text(offboardSummary(report));
      }),
    );
}
