/**
 * Ensures the workspace-wide webhook subscriptions the receiver needs exist, idempotently: each is owned by a
 * webhookSubscription entity workflow whose id is derived from (workspace, event, url); starting it again attaches.
 */
import {
  isGrpcCancelledError,
  isGrpcDeadlineError,
  ServiceError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WorkspaceSubscriptionInput,
  workspaceSubscriptionWorkflowId,
  type WorkspaceSubscriptionInputRaw,
} from '../domain/subscription-input';
import { WORKFLOW_TYPES, type WebhookSubscriptionWorkflow } from '../domain/workflow-types';
import {
  retireSubscriptionSignal,
  workspaceSubscriptionQuery,
  type WorkspaceSubscriptionState,
} from '../domain/messages/subscription';
import { issueProblems, InvalidFields } from '../base/zod-issues';
import type { FieldProblem } from '../base/problems';

export interface EnsuredSubscription extends WorkspaceSubscriptionState {
  workflowId: string;
}

/** A webhook subscription entity's input, refused before anything starts. */
export class InvalidSubscriptionInput extends InvalidFields {
  constructor(problems: readonly FieldProblem[]) {
    super('webhook subscription input', problems);
    this.name = 'InvalidSubscriptionInput';
  }
}

/** The entity did not register its subscription in time: no worker ran it, or Bird kept failing (see its history). */
export class SubscriptionNotRegistered extends Error {
  constructor(
    readonly workflowId: string,
    readonly taskQueue: string,
    timeoutMs: number,
  ) {
    super(
      `subscription ${workflowId} not registered within ${Math.round(timeoutMs / 1000)} s (is a worker polling task queue "${taskQueue}"?)`,
    );
    this.name = 'SubscriptionNotRegistered';
  }
}

export async function ensureWorkspaceSubscription(
  client: Client,
  rawInput: WorkspaceSubscriptionInputRaw,
  opts: { taskQueue: string; timeoutMs?: number },
): Promise<EnsuredSubscription> {
  const parsed = WorkspaceSubscriptionInput.safeParse(rawInput);
  if (!parsed.success) throw new InvalidSubscriptionInput(issueProblems(parsed.error.issues, rawInput));
  const workflowId = workspaceSubscriptionWorkflowId(parsed.data);
  const handle = await client.workflow.start<WebhookSubscriptionWorkflow>(WORKFLOW_TYPES.webhookSubscription, {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [rawInput],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Bird ${parsed.data.event} subscription → ${parsed.data.url}`,
  });
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A worker answers the query; with none, give up on this one after a few seconds and look again (not ~30 s).
    const state = await client
      .withDeadline(Math.min(deadline, Date.now() + 5_000), () => handle.query(workspaceSubscriptionQuery))
      .catch((err: unknown) => {
        // No worker answered in time, or the server gave up on the query first (seen under load: "Failed to query
        // Workflow" with a cause other than our deadline): the describe below tells a run that is really gone.
        if (
          isGrpcDeadlineError(err) ||
          isGrpcCancelledError(err) ||
          (err instanceof ServiceError && !(err instanceof WorkflowNotFoundError))
        )
          return undefined;
        throw err;
      });
    if (state?.subscriptionId) return { ...state, workflowId };
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') {
      await handle.result(); // surfaces the failure
      throw new Error(`subscription workflow ${workflowId} ended without registering a subscription`);
    }
    if (Date.now() > deadline) throw new SubscriptionNotRegistered(workflowId, opts.taskQueue, timeoutMs);
    await sleep(250);
  }
}

/**
 * Ends a subscription entity (the `retire` signal) and waits for it to finish; false when none was running. The
 * subscription itself stays in Bird (its API cannot delete one). Needs a worker on the entity's task queue.
 */
export async function retireWorkspaceSubscription(
  client: Client,
  workflowId: string,
  opts: { timeoutMs?: number } = {},
): Promise<boolean> {
  const handle = client.workflow.getHandle(workflowId);
  const running = await handle
    .describe()
    .then((d) => d.status.name === 'RUNNING')
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    });
  if (!running) return false;
  await handle.signal(retireSubscriptionSignal);
  await client.withDeadline(Date.now() + (opts.timeoutMs ?? 30_000), () => handle.result());
  return true;
}
