/**
 * Waiting for a run and telling how it ended, shared by `provision --wait`, `result` and `cancel`: the result as
 * JSON on stdout (exit 0), or a one-line reason on stderr (exit 1) that says what was undone and what was left.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { awaitOutcome, type FinishedProvisioning } from '../client/provisioning-client';
import type { Session } from './connection';
import type { CliContext } from './context';
import { CliError, usageError } from './errors';
import { ExitCode } from './exit-codes';
import { watchForWorker } from './no-worker';

export async function waitForOutcome(
  ctx: CliContext,
  { client }: Session,
  workflowId: string,
): Promise<FinishedProvisioning> {
  const { taskQueue } = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(notFound(client.options.namespace, workflowId));
  const stop = watchForWorker(client, taskQueue, ctx.out.info);
  try {
    return await awaitOutcome(client, workflowId);
  } finally {
    stop();
  }
}

/** Prints the outcome; a run that did not complete becomes a CliError (exit 1) carrying its one-line reason. */
export function reportOutcome(ctx: CliContext, outcome: FinishedProvisioning): void {
  if (outcome.status === 'COMPLETED') return ctx.out.json(outcome.result);
  throw new CliError(oneLine(outcome), ExitCode.provisioningFailed);
}

export function oneLine(outcome: Exclude<FinishedProvisioning, { status: 'COMPLETED' }>): string {
  const line = outcome.reason.split('\n')[0]!;
  return outcome.status === 'CANCELLED' && outcome.detailsFrom === 'history'
    ? `${line} (read from the history: no worker answered)`
    : line;
}

export function notFound(namespace: string, workflowId: string) {
  return (err: unknown): never => {
    if (err instanceof WorkflowNotFoundError)
      throw usageError(
        `no provisioning with workflow id "${workflowId}" in namespace "${namespace}" (list them with: starter list --workspace <id>)`,
      );
    throw err;
  };
}
