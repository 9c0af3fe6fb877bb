/**
 * The `starter` CLI: global connection flags, the commands, and one exit-code table for all of them (commander's own
 * usage errors included). Registering a command is one import and one call below.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerApply } from './commands/apply';
import { registerBulk } from './commands/bulk';
import { registerBulkCancel } from './commands/bulk-cancel';
import { registerBulkOffboard } from './commands/bulk-offboard';
import { registerBulkStatus } from './commands/bulk-status';
import { registerCancel } from './commands/cancel';
import { registerEnsureWebhookSubscription } from './commands/ensure-webhook-subscription';
import { registerList } from './commands/list';
import { registerOffboard } from './commands/offboard';
import { registerPlan } from './commands/plan';
import { registerProvision } from './commands/provision';
import { registerReconcile } from './commands/reconcile';
import { registerResult } from './commands/result';
import { registerStatus } from './commands/status';
import { createContext, type CliContext } from './context';
import { describeError } from './errors';
import { exitCodeHelp, type ExitCode } from './exit-codes';
import type { Output } from './output';

export function buildProgram(out?: Output): { program: Command; context: CliContext } {
  const program = new Command()
    .name('starter')
    .description('Start and inspect Bird channel provisionings on Temporal')
    // Commander's usage errors become exceptions (exit 2 below) instead of its own process.exit(1).
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addOption(
      new Option(
        '--address <host:port>',
        'Temporal frontend address (default: TEMPORAL_ADDRESS, a TEMPORAL_PROFILE, or 127.0.0.1:7233)',
      ).argParser(hostPort),
    )
    .addOption(new Option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE, or "default")'))
    .addOption(
      new Option(
        '--task-queue <name>',
        'task queue of the workers (default: TEMPORAL_TASK_QUEUE, or "channel-provisioning")',
      ),
    )
    .addHelpText('after', `\n${exitCodeHelp()}`);
  const context = createContext(program, out);
  // Subcommands inherit exitOverride and the output settings because they are created after them.
  registerProvision(program, context);
  registerStatus(program, context);
  registerResult(program, context);
  registerCancel(program, context);
  registerList(program, context);
  registerEnsureWebhookSubscription(program, context);
  registerBulk(program, context);
  registerBulkStatus(program, context);
  registerBulkCancel(program, context);
  registerReconcile(program, context);
  registerOffboard(program, context);
  registerBulkOffboard(program, context);
  registerPlan(program, context);
  registerApply(program, context);
  return { program, context };
}

/** Runs the CLI on argv and returns its exit code; every failure is one message on stderr, never a stack trace. */
export async function runCli(argv: string[], out?: Output): Promise<ExitCode> {
  const { program, context } = buildProgram(out);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const { message, code } = describeError(err);
    if (message) context.out.info(message);
    return code;
  }
}

function hostPort(value: string): string {
  // The same rule as TEMPORAL_ADDRESS (src/config/app-config.ts).
  if (!/^[^\s:]+:\d{1,5}$/.test(value)) throw new InvalidArgumentError('must be host:port, e.g. 127.0.0.1:7233');
  return value;
}
