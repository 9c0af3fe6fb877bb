/**
 * What the CLI says and which exit code it uses when a command cannot do what was asked. Every error reaches the
 * user as a message on stderr (never a stack trace) and one of the codes of ./exit-codes.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { CommanderError } from 'commander';
import { problemText, type Problem } from '../base/problems';
import { InvalidFields } from '../base/zod-issues';
import { InventoryFileError } from '../bulk/inventory-file';
import { ProvisioningRefused } from '../client/offboarding-client';
import { ExitCode } from './exit-codes';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, ExitCode.usage);

/** The message for stderr (undefined when commander already wrote it) and the exit code. */
export function describeError(err: unknown): { message?: string; code: ExitCode } {
  if (err instanceof CliError) return { message: err.message, code: err.exitCode };
  // Commander has already printed its own message (or the help); --help and `help` are not errors.
  if (err instanceof CommanderError) return { code: err.exitCode === 0 ? ExitCode.ok : ExitCode.usage };
  // Configuration, provisioning input, bulk defaults, audit input, a bulk file: each names its bad fields or line.
  if (err instanceof InvalidFields || err instanceof InventoryFileError)
    return { message: err.message, code: ExitCode.usage };
  if (err instanceof ProvisioningRefused) return { message: err.message, code: ExitCode.provisioningFailed };
  if (err instanceof WorkflowNotFoundError)
    return { message: `no such workflow: ${err.workflowId ?? err.message}`, code: ExitCode.usage };
  // Anything else is unexpected: its message, without a stack (which would only confuse a user of the CLI).
  return {
    message: `unexpected error: ${err instanceof Error ? err.message : String(err)}`,
    code: ExitCode.provisioningFailed,
  };
}

/** The CLI's one rendering of problems, one a line: "field: reason", or "<file>:<line>: field: reason" in a file. */
export function problemLines(problems: readonly Problem[], file: string): string[] {
  return problems.map((p) =>
    'line' in p ? `${file}:${p.line}: ${p.field ? `${p.field}: ` : ''}${p.reason}` : problemText(p),
  );
}
