/** `result <workflowId>`: waits for a provisioning to finish; its result, or why not and what was undone. */
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { reportOutcome, waitForOutcome } from '../report';

export function registerResult(program: Command, ctx: CliContext): void {
  program
    .command('result <workflowId>')
    .description('wait for a provisioning to finish; print its result, or why not and what was undone (exit 1)')
    .action(async (workflowId: string) =>
      ctx.withClient(async (session) => reportOutcome(ctx, await waitForOutcome(ctx, session, workflowId))),
    );
}
