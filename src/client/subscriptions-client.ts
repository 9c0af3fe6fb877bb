/**
 * Ensures the workspace-wide webhook subscriptions the receiver needs exist, idempotently: each is owned by a
 * webhookSubscription entity workflow whose id is derived from (workspace, event, url); starting it again attaches.
 */
import type { Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkspaceSubscriptionInput, workspaceSubscriptionWorkflowId, type WorkspaceSubscriptionInputRaw } from '../domain/provisioning-input';
import { webhookSubscription } from '../workflows';
import { workspaceSubscriptionQuery, type WorkspaceSubscriptionState } from '../workflows/definitions';
import { describeIssues } from '../config';
import { InvalidProvisioningInput } from '../domain/provisioning-input';

export interface EnsuredSubscription extends WorkspaceSubscriptionState {
  workflowId: string;
}

export async function ensureWorkspaceSubscription(
  client: Client,
  rawInput: WorkspaceSubscriptionInputRaw,
  opts: { taskQueue: string; timeoutMs?: number },
): Promise<EnsuredSubscription> {
  const parsed = WorkspaceSubscriptionInput.safeParse(rawInput);
  if (!parsed.success) throw new InvalidProvisioningInput(describeIssues(parsed.error.issues));
  const workflowId = workspaceSubscriptionWorkflowId(parsed.data);
  const handle = await client.workflow.start(webhookSubscription, {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [rawInput],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Bird ${parsed.data.event} subscription → ${parsed.data.url}`,
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const state = await handle.query(workspaceSubscriptionQuery);
    if (state.subscriptionId) return { ...state, workflowId };
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') {
      await handle.result(); // surfaces the failure
      throw new Error(`subscription workflow ${workflowId} ended without registering a subscription`);
    }
    if (Date.now() > deadline) throw new Error(`subscription ${workflowId} not registered within the timeout (is a worker running?)`);
    await sleep(250);
  }
}
