/**
 * webhookSubscription: an entity workflow that owns one workspace-wide Bird webhook subscription. Its id is derived
 * from (workspace, event, url), so "ensure the subscription exists" is a start with USE_EXISTING: the first start
 * creates the subscription, every later one attaches and reads its id through the query. It stays open (idle, no
 * history growth) so the record outlives namespace retention.
 */
import { ApplicationFailure, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { WorkspaceSubscriptionInput, type WorkspaceSubscriptionInputRaw } from '../domain/provisioning-input';
import { describeIssues } from '../domain/zod-issues';
import { createOptions } from './activity-options';
import { INVALID_INPUT, retireSubscriptionSignal, workspaceSubscriptionQuery, type WorkspaceSubscriptionState } from './definitions';

const { createWorkspaceSubscription } = proxyActivities<Activities>(createOptions);

export async function webhookSubscription(rawInput: WorkspaceSubscriptionInputRaw): Promise<WorkspaceSubscriptionState> {
  const parsed = WorkspaceSubscriptionInput.safeParse(rawInput);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error.issues);
    throw ApplicationFailure.create({ type: INVALID_INPUT, message: `invalid subscription input: ${problems.join('; ')}`, nonRetryable: true });
  }
  const input = parsed.data;
  const state: WorkspaceSubscriptionState = { event: input.event, url: input.url };
  let retired = false;
  setHandler(workspaceSubscriptionQuery, () => state);
  setHandler(retireSubscriptionSignal, () => {
    retired = true;
  });

  const registered = await createWorkspaceSubscription(input);
  state.subscriptionId = registered.subscriptionId;
  state.registeredAt = new Date().toISOString();
  await condition(() => retired);
  return state;
}
