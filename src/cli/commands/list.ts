/** `list --workspace <id>`: recent provisionings of a workspace with stage and outcome, newest first. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { listProvisionings } from '../../client/list-provisionings';
import { BirdId } from '../../bird/schemas';
import type { CliContext } from '../context';
import { formatTable, shortTime } from '../output';

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description("list a workspace's recent provisionings: workflow id, stage, outcome, status, start time")
    .addOption(
      new Option('--workspace <id>', 'Bird workspace id')
        .env('BIRD_WORKSPACE_ID')
        .argParser(workspaceId)
        .makeOptionMandatory(),
    )
    .option('--limit <n>', 'at most this many (1-1000)', limit, 20)
    .option('--json', 'print them as a JSON array instead of a table')
    .action(async (opts: { workspace: string; limit: number; json?: boolean }) =>
      ctx.withClient(async ({ client, settings }) => {
        const runs = await listProvisionings(client, { workspaceId: opts.workspace, limit: opts.limit });
        if (opts.json) return ctx.out.json(runs);
        if (!runs.length)
          return ctx.out.info(`no provisionings of workspace ${opts.workspace} in namespace "${settings.namespace}"`);
        ctx.out.text(
          formatTable(
            ['WORKFLOW ID', 'STAGE', 'OUTCOME', 'STATUS', 'STARTED'],
            runs.map((r) => [
              r.workflowId,
              r.stage ?? '',
              r.outcome ?? '',
              r.status.toLowerCase(),
              shortTime(new Date(r.startedAt)),
            ]),
          ),
        );
      }),
    );
}

function workspaceId(value: string): string {
  if (!BirdId.safeParse(value).success) throw new InvalidArgumentError('must be a Bird workspace id (a UUID)');
  // Stored lower-case (src/domain/provisioning-input.ts): one workspace, whichever case it is written in.
  return value.toLowerCase();
}

function limit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return n;
}
